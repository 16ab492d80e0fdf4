"""Pure rules for imported activities: plausibility, heart-rate zones and deduplication.

Deduplication, as members see it:

- Two activities from **different sources** (another format or another device) are one
  workout when they have the same broad type and overlap in time by at least half of the
  shorter one. The richer one is kept (heart-rate zones, then a distance, then the longer
  active time); the other is recorded as its duplicate. Running, walking and hiking are one
  broad type ("on foot"): a watch says run where a phone says walk.
- The same workout imported twice from one source (same format, device and external id) is
  a duplicate of the first.
- An activity that overlaps a scanner check-in or a class attendance at the gym is kept and
  marked as overlapping, and only the part of its minutes outside those visits counts:
  ``counted_minutes = round(minutes × uncovered share of its wall-clock span)``. The visit
  already counts its own minutes, so a treadmill run recorded by a watch during a check-in
  never counts twice, while a run that continues outside after the visit still counts the
  outside part.

The outcome depends only on the set of activities, never on the order they were read in:
they are ranked by a total order on their content before any is compared.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from server.wearables.schemas import ActivityType, HeartRateZones, ImportedActivity
from shared.movement import MovementIntensity

MAX_ACTIVITY_MINUTES = 600
#: A gap between two heart-rate samples longer than this is a sensor pause: not counted.
MAX_SAMPLE_GAP = timedelta(minutes=5)
#: Lower bounds of zones 1–5 as shares of the maximum heart rate.
ZONE_FLOORS = (0.5, 0.6, 0.7, 0.8, 0.9)
MIN_OVERLAP_SHARE = 0.5


def implausibility(*, start: datetime, end: datetime, minutes: float, now: datetime) -> str | None:
    """Why an activity cannot be imported, or None when it can."""
    if end < start:
        return "it ends before it starts"
    if end == start or minutes <= 0:
        return "it lasts no time"
    if minutes > MAX_ACTIVITY_MINUTES:
        return f"it lasts {minutes:.0f} minutes, more than {MAX_ACTIVITY_MINUTES}"
    if end > now:
        return "it ends in the future"
    return None


def max_heart_rate(*, max_hr: int | None = None, age: int | None = None) -> int:
    """The member's maximum heart rate: as given, else estimated as 220 − age."""
    if max_hr is not None:
        if not 100 <= max_hr <= 240:
            raise ValueError(f"maximum heart rate {max_hr} is not plausible")
        return max_hr
    if age is None or not 5 <= age <= 110:
        raise ValueError("a maximum heart rate or a plausible age is needed")
    return 220 - age


def zone_of(bpm: float, max_hr: int) -> int:
    """0 below zone 1, else 1–5."""
    share = bpm / max_hr
    zone = 0
    for number, floor in enumerate(ZONE_FLOORS, start=1):
        if share >= floor:
            zone = number
    return zone


def heart_rate_zones(
    samples: Iterable[tuple[datetime, float]], *, max_hr: int
) -> HeartRateZones | None:
    """Minutes in each zone from (time, bpm) samples; None when there are fewer than two.

    Each interval between two samples counts for the zone of its first sample, except
    intervals longer than ``MAX_SAMPLE_GAP`` (the sensor was off).
    """
    ordered = sorted(samples)
    if len(ordered) < 2:
        return None
    seconds = [0.0] * 6
    for (at, bpm), (following, _) in pairwise(ordered):
        gap = following - at
        if gap <= MAX_SAMPLE_GAP:
            seconds[zone_of(bpm, max_hr)] += gap.total_seconds()
    return zones_from_seconds(seconds[1:])


def zones_from_seconds(seconds: Sequence[float]) -> HeartRateZones:
    """Zones 1–5 from seconds per zone, in minutes to one decimal."""
    minutes = [round(value / 60, 1) for value in seconds]
    return HeartRateZones(*minutes[:5])


class BroadType(enum.StrEnum):
    ON_FOOT = "on_foot"
    CYCLE = "cycle"
    SWIM = "swim"
    STRENGTH = "strength"
    OTHER = "other"


_BROAD = {
    ActivityType.RUN: BroadType.ON_FOOT,
    ActivityType.WALK: BroadType.ON_FOOT,
    ActivityType.HIKE: BroadType.ON_FOOT,
    ActivityType.CYCLE: BroadType.CYCLE,
    ActivityType.SWIM: BroadType.SWIM,
    ActivityType.STRENGTH: BroadType.STRENGTH,
    ActivityType.OTHER: BroadType.OTHER,
}


def broad_type(activity_type: ActivityType) -> BroadType:
    return _BROAD[activity_type]


def overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> timedelta:
    return max(timedelta(0), min(a_end, b_end) - max(a_start, b_start))


def same_workout(a: ImportedActivity, b: ImportedActivity) -> bool:
    """Whether two activities are one workout recorded twice (see the module docstring)."""
    if a.source_key == b.source_key:
        return a.external_id == b.external_id
    if broad_type(a.activity_type) != broad_type(b.activity_type):
        return False
    shorter = min(a.end - a.start, b.end - b.start)
    if shorter <= timedelta(0):
        return False
    return overlap(a.start, a.end, b.start, b.end) / shorter >= MIN_OVERLAP_SHARE


def richness_key(activity: ImportedActivity) -> tuple[object, ...]:
    """Richest first, then a total order on the content so that ties never depend on order."""
    zones = activity.heart_rate
    return (
        zones is None,
        activity.distance_m is None,
        -activity.minutes,
        activity.start,
        activity.end,
        activity.source_format.value,
        activity.source_name,
        activity.external_id,
        activity.activity_type.value,
        -(activity.distance_m or 0.0),
        () if zones is None else tuple(-m for m in (zones.zone1, zones.zone2, zones.zone3)),
        () if zones is None else (-zones.zone4, -zones.zone5),
    )


@dataclass(frozen=True, slots=True)
class GymVisit:
    """A scanner check-in or class attendance at the gym, as a wall-clock interval (UTC)."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class DedupOutcome:
    activity: ImportedActivity
    #: The kept activity this one duplicates; None when this one is kept.
    duplicate_of: ImportedActivity | None
    overlaps_gym_visit: bool
    #: The minutes this activity adds to the member's dose (0 for a duplicate).
    counted_minutes: int

    @property
    def kept(self) -> bool:
        return self.duplicate_of is None


def _covered(start: datetime, end: datetime, visits: Sequence[GymVisit]) -> timedelta:
    """How much of [start, end) the union of the visits covers (visits may overlap)."""
    clipped = sorted(
        (max(v.start, start), min(v.end, end)) for v in visits if v.start < end and v.end > start
    )
    covered = timedelta(0)
    run_start: datetime | None = None
    run_end: datetime | None = None
    for clip_start, clip_end in clipped:
        if run_end is None or clip_start > run_end:
            if run_start is not None and run_end is not None:
                covered += run_end - run_start
            run_start, run_end = clip_start, clip_end
        else:
            run_end = max(run_end, clip_end)
    if run_start is not None and run_end is not None:
        covered += run_end - run_start
    return covered


def counted_minutes(activity: ImportedActivity, visits: Sequence[GymVisit]) -> int:
    """The activity's minutes outside the gym visits, in proportion to its span covered."""
    span = activity.end - activity.start
    if span <= timedelta(0):
        return 0
    uncovered_share = 1 - _covered(activity.start, activity.end, visits) / span
    return round(activity.minutes * uncovered_share)


def deduplicate(
    activities: Iterable[ImportedActivity], *, gym_visits: Sequence[GymVisit] = ()
) -> list[DedupOutcome]:
    """Decide which activities are kept, which duplicate another, and what each counts.

    Outcomes come back richest first (the order of ``richness_key``), whatever the input order.
    """
    kept: list[ImportedActivity] = []
    outcomes: list[DedupOutcome] = []
    for activity in sorted(activities, key=richness_key):
        original = next((k for k in kept if same_workout(k, activity)), None)
        touches_gym = any(v.start < activity.end and v.end > activity.start for v in gym_visits)
        if original is None:
            kept.append(activity)
            minutes = counted_minutes(activity, gym_visits)
        else:
            minutes = 0
        outcomes.append(DedupOutcome(activity, original, touches_gym, minutes))
    return outcomes


#: Without heart-rate zones, a type's usual effort: running is vigorous, the rest moderate
#: (brisk walking is the WHO's own example of moderate activity).
_TYPE_INTENSITY = {
    ActivityType.RUN: MovementIntensity.VIGOROUS,
    ActivityType.WALK: MovementIntensity.MODERATE,
    ActivityType.HIKE: MovementIntensity.MODERATE,
    ActivityType.CYCLE: MovementIntensity.MODERATE,
    ActivityType.SWIM: MovementIntensity.MODERATE,
    ActivityType.STRENGTH: MovementIntensity.MODERATE,
    ActivityType.OTHER: MovementIntensity.MODERATE,
}


def intensity_of(activity: ImportedActivity) -> MovementIntensity:
    """The dose category of an activity: from its heart-rate zones when it has any minutes
    in them (at least half in zones 4–5, above 80 % of the maximum: vigorous; at least half
    in zones 2–5: moderate; else light), else from its type."""
    zones = activity.heart_rate
    if zones is None or zones.total <= 0:
        return _TYPE_INTENSITY[activity.activity_type]
    if zones.zone4 + zones.zone5 >= zones.total / 2:
        return MovementIntensity.VIGOROUS
    if zones.total - zones.zone1 >= zones.total / 2:
        return MovementIntensity.MODERATE
    return MovementIntensity.LIGHT
