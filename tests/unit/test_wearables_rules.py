"""Plausibility, heart-rate zones and deduplication of imported activities (pure rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.wearables import rules
from server.wearables.rules import GymVisit, deduplicate
from server.wearables.schemas import ActivityType, HeartRateZones, ImportedActivity, SourceFormat

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 3, 28, 7, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def activity(
    start: int,
    end: int,
    *,
    kind: ActivityType = ActivityType.RUN,
    source: SourceFormat = SourceFormat.FIT,
    device: str = "watch",
    external_id: str | None = None,
    minutes: int | None = None,
    distance_m: float | None = None,
    zones: HeartRateZones | None = None,
) -> ImportedActivity:
    return ImportedActivity(
        source_format=source,
        external_id=external_id or f"{source}-{device}-{start}-{end}",
        activity_type=kind,
        start=at(start),
        end=at(end),
        minutes=end - start if minutes is None else minutes,
        source_name=device,
        distance_m=distance_m,
        heart_rate=zones,
    )


# --- plausibility -----------------------------------------------------------------------


def test_implausible_activities_are_named() -> None:
    def why(start: int, end: int, minutes: float, now: datetime = NOW) -> str | None:
        return rules.implausibility(start=at(start), end=at(end), minutes=minutes, now=now)

    assert why(10, 0, 10) == "it ends before it starts"
    assert why(0, 0, 0) == "it lasts no time"
    assert why(0, 601, 601) == "it lasts 601 minutes, more than 600"
    assert why(0, 600, 600) is None  # exactly ten hours is still plausible
    assert why(0, 30, 30, now=at(29)) == "it ends in the future"
    assert why(0, 30, 30, now=at(30)) is None


# --- heart rate -------------------------------------------------------------------------


def test_maximum_heart_rate_is_given_or_220_minus_age() -> None:
    assert rules.max_heart_rate(max_hr=195, age=40) == 195
    assert rules.max_heart_rate(age=40) == 180
    with pytest.raises(ValueError, match="not plausible"):
        rules.max_heart_rate(max_hr=400)
    with pytest.raises(ValueError, match="plausible age"):
        rules.max_heart_rate()


def test_zone_boundaries_by_share_of_maximum() -> None:
    # max 180: 50 % = 90, 60 % = 108, 70 % = 126, 80 % = 144, 90 % = 162 bpm.
    assert [rules.zone_of(bpm, 180) for bpm in (89, 90, 107, 108, 126, 144, 161, 162, 200)] == [
        0,
        1,
        1,
        2,
        3,
        4,
        4,
        5,
        5,
    ]


def test_minutes_in_zones_from_samples_leave_sensor_gaps_out() -> None:
    # max 180. 07:00 100 bpm (zone 1) → 07:02: 2 min in zone 1; 07:02 150 bpm (zone 4) →
    # 07:05: 3 min in zone 4; 07:05 170 (zone 5) → 07:15: a 10-minute gap, the sensor was
    # off: not counted; 07:15 80 bpm (below zone 1) → 07:16: in no zone; 07:16 is last.
    samples = [(at(0), 100), (at(2), 150), (at(5), 170), (at(15), 80), (at(16), 120)]
    zones = rules.heart_rate_zones(reversed(samples), max_hr=180)  # order does not matter
    assert zones == HeartRateZones(zone1=2.0, zone4=3.0)
    assert rules.heart_rate_zones([(at(0), 100)], max_hr=180) is None


# --- deduplication ----------------------------------------------------------------------


def test_the_same_run_from_a_watch_and_a_phone_is_one_and_the_richer_is_kept() -> None:
    watch = activity(0, 40, zones=HeartRateZones(zone2=20, zone3=15), distance_m=7000)
    # Phone: a walk, 07:05–07:35, inside the watch's run: overlap 30 / shorter 30 = 100 %.
    phone = activity(5, 35, kind=ActivityType.WALK, source=SourceFormat.GOOGLE_FIT, device="p")
    first, second = deduplicate([phone, watch])
    assert (first.activity, first.kept, first.counted_minutes) == (watch, True, 40)
    assert (second.activity, second.duplicate_of, second.counted_minutes) == (phone, watch, 0)


def test_half_overlap_is_the_threshold() -> None:
    a = activity(0, 60)
    # 07:30–08:30 overlaps a by 30 min; shorter is 60: 30 / 60 = 50 % → one workout.
    half = activity(30, 90, source=SourceFormat.GPX, device="phone")
    # 07:31–08:31 overlaps by 29 min: 29 / 60 ≈ 48 % → two workouts.
    less = activity(31, 91, source=SourceFormat.GPX, device="phone")
    assert [o.kept for o in deduplicate([a, half])] == [True, False]
    assert [o.kept for o in deduplicate([a, less])] == [True, True]


def test_different_broad_types_or_one_source_are_never_merged_by_overlap() -> None:
    run = activity(0, 60)
    ride = activity(0, 60, kind=ActivityType.CYCLE, source=SourceFormat.GPX, device="bike")
    assert all(o.kept for o in deduplicate([run, ride]))
    # One watch recording two overlapping sessions means two sessions...
    again = activity(10, 50, external_id="other-session")
    assert all(o.kept for o in deduplicate([run, again]))
    # ...but the same session imported twice is one.
    reimport = activity(0, 60)
    assert [o.kept for o in deduplicate([run, reimport])] == [True, False]


def test_richness_zones_then_distance_then_minutes() -> None:
    bare = activity(0, 60, source=SourceFormat.APPLE_HEALTH, device="a")
    with_distance = activity(0, 60, source=SourceFormat.GPX, device="b", distance_m=9000)
    longer = activity(0, 60, source=SourceFormat.GOOGLE_FIT, device="c", minutes=58)
    shorter = activity(0, 60, source=SourceFormat.GOOGLE_FIT, device="d", minutes=50)
    zoned = activity(0, 60, source=SourceFormat.FIT, device="e", zones=HeartRateZones(zone1=5))
    outcomes = deduplicate([shorter, bare, longer, with_distance, zoned])
    assert [o.activity for o in outcomes] == [zoned, with_distance, bare, longer, shorter]
    assert all(o.duplicate_of == zoned for o in outcomes[1:])


def test_gym_visits_are_marked_and_their_minutes_not_counted_twice() -> None:
    run = activity(0, 60, minutes=60)
    # A check-in 07:30–08:30 covers half the run's span: 60 × (1 − 30/60) = 30 minutes count.
    (outcome,) = deduplicate([run], gym_visits=[GymVisit(at(30), at(90))])
    assert (outcome.overlaps_gym_visit, outcome.counted_minutes) == (True, 30)
    # A check-in and a class that overlap each other (07:10–07:30, 07:20–07:40) cover their
    # union, 07:10–07:40 = 30 min, not 20 + 20: 60 × (1 − 30/60) = 30.
    visits = [GymVisit(at(10), at(30)), GymVisit(at(20), at(40))]
    assert deduplicate([run], gym_visits=visits)[0].counted_minutes == 30
    # Moving time 45 of a 60-minute span, half covered: 45 × 0.5 = 22.5, rounded to 22.
    paused = activity(0, 60, minutes=45)
    assert deduplicate([paused], gym_visits=[GymVisit(at(30), at(90))])[0].counted_minutes == 22
    # A treadmill run wholly inside a check-in counts nothing; one after the visit, all.
    inside = deduplicate([run], gym_visits=[GymVisit(at(-5), at(65))])[0]
    assert (inside.overlaps_gym_visit, inside.counted_minutes) == (True, 0)
    after = deduplicate([run], gym_visits=[GymVisit(at(-90), at(0))])[0]
    assert (after.overlaps_gym_visit, after.counted_minutes) == (False, 60)


SOURCES = [
    (SourceFormat.FIT, "watch"),
    (SourceFormat.GPX, "phone"),
    (SourceFormat.APPLE_HEALTH, "watch"),
    (SourceFormat.GOOGLE_FIT, "Google Fit"),
]
activities = st.builds(
    lambda start, length, kind, source, rich, id_: activity(
        start,
        start + length,
        kind=kind,
        source=source[0],
        device=source[1],
        external_id=f"id{id_}",
        distance_m=1000.0 * rich if rich else None,
        zones=HeartRateZones(zone2=float(rich)) if rich > 1 else None,
    ),
    st.integers(0, 180),
    st.integers(1, 120),
    st.sampled_from(list(ActivityType)),
    st.sampled_from(SOURCES),
    st.integers(0, 3),
    st.integers(0, 3),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(activities, max_size=8),
    st.lists(st.tuples(st.integers(0, 240), st.integers(1, 90)), max_size=3),
    st.randoms(use_true_random=False),
)
def test_deduplication_does_not_depend_on_order(
    items: list[ImportedActivity], visit_spans: list[tuple[int, int]], random: object
) -> None:
    visits = [GymVisit(at(s), at(s + n)) for s, n in visit_spans]
    shuffled = list(items)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    outcomes = deduplicate(items, gym_visits=visits)
    assert outcomes == deduplicate(shuffled, gym_visits=list(reversed(visits)))
    kept = [o.activity for o in outcomes if o.kept]
    assert all(o.duplicate_of in kept for o in outcomes if not o.kept)
    for outcome in outcomes:
        assert 0 <= outcome.counted_minutes <= outcome.activity.minutes
