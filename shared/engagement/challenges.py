"""Challenge scoring: which ledger events count toward a challenge, and each participant's
score, kept up to date one event at a time and rebuildable from the whole ledger.

Rules, in the order ``exclusion`` checks them:

- **Voided** events never count: an event marked ``voided``, or named by another event's
  ``voids`` (a correction). Voiding is permanent, whichever arrives first.
- **Provenance**: scanner-verified and staff-recorded events count; self-reported ones only
  when the challenge has ``allow_self_reports`` (Movement Tiles are self-reports, so a Tiles
  challenge needs it), device-imported ones only with ``allow_device_imports``.
- **Metric**: sessions count every event but Tiles, one each; Tiles count Tile events, one
  each; minutes count every event's minutes; dose-weeks count weeks whose
  moderate-equivalent minutes (moderate + 2 × vigorous, light nothing) reach ``dose_target``.
- **Window**: the event's local date (already in the participant's own zone, at the tenant's
  day-start hour) lies in ``starts_on`` … ``ends_on``, both included, so each participant's
  window opens and closes at their own local midnight (or day-start hour).
- **Grace**: an event recorded after the participant's window closed counts only if it was
  recorded within ``grace`` of that close (a late upload); otherwise it is excluded.
- **Daily cap**: at most ``daily_cap`` units of the metric count per local day (sessions,
  Tiles or minutes; for dose-weeks, moderate-equivalent minutes per day toward the week).
  Within a day the earliest events (by ``occurred_at``, then id) fill the cap first.

A participant's score is the sum over buckets (local days; weeks for dose-weeks) of the
capped value of the events in that bucket. Because a bucket's value depends only on the set
of its events, never on arrival order, applying events one by one in any order and
rebuilding from the ledger give the same state.

``reached_at`` is when the participant reached their current score: every contribution is
non-negative, so the score over time is a non-decreasing step function and it reached its
final value at the latest of the instants when each bucket reached its own final value.
Ranking uses it to break ties in favour of whoever got there first.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

#: Kinds that are Movement Tiles rather than sessions.
TILE_KINDS = frozenset({"tile"})


class Provenance(StrEnum):
    """Where a ledger event's facts come from (the ledger's own values)."""

    SCANNER_VERIFIED = "scanner_verified"
    STAFF_RECORDED = "staff_recorded"
    SELF_REPORTED = "self_reported"
    DEVICE_IMPORTED = "device_imported"


class Metric(StrEnum):
    SESSIONS = "sessions"
    MINUTES = "minutes"
    TILES = "tiles"
    DOSE_WEEKS = "dose_weeks"


class Exclusion(StrEnum):
    """Why an event does not count toward a challenge."""

    DUPLICATE = "duplicate"
    NOT_A_PARTICIPANT = "not_a_participant"
    VOIDED = "voided"
    PROVENANCE = "provenance"
    NOT_THIS_METRIC = "not_this_metric"
    OUTSIDE_WINDOW = "outside_window"
    TOO_LATE = "too_late"


#: Moderate-equivalent weight per intensity; "low" and "high" are the older names.
INTENSITY_WEIGHT = {"light": 0, "low": 0, "moderate": 1, "high": 2, "vigorous": 2}


@dataclass(frozen=True)
class EngagementEvent:
    """One ledger event as the engagement rules read it."""

    id: uuid.UUID
    member_id: uuid.UUID
    #: When the movement happened (UTC, aware).
    occurred_at: datetime
    #: The member's calendar date for it, in their zone at the tenant's day-start hour.
    local_date: date
    kind: str
    minutes: int
    intensity: str
    provenance: str
    #: When the ledger stored it (UTC, aware); decides late uploads. Defaults to occurred_at.
    recorded_at: datetime | None = None
    #: The event this one corrects (it voids that one).
    voids: uuid.UUID | None = None
    #: Whether the ledger has voided this event.
    voided: bool = False

    @property
    def stored_at(self) -> datetime:
        return self.recorded_at if self.recorded_at is not None else self.occurred_at

    @property
    def dose_minutes(self) -> int:
        """Moderate-equivalent minutes: moderate once, vigorous twice, light not at all."""
        return self.minutes * INTENSITY_WEIGHT.get(self.intensity, 0)


@dataclass(frozen=True)
class Challenge:
    id: uuid.UUID
    metric: Metric
    #: First and last local dates, both included, in each participant's own zone.
    starts_on: date
    ends_on: date
    #: How long after a participant's window closes a late upload is still accepted.
    grace: timedelta = timedelta(hours=48)
    #: At most this many units of the metric count per local day (None: no cap).
    daily_cap: int | None = None
    allow_self_reports: bool = False
    allow_device_imports: bool = False
    #: The tenant's day-start hour (0–6): a local day runs from this hour to the next day's.
    day_start_hour: int = 0
    #: Moderate-equivalent minutes that make a dose-week.
    dose_target: int = 150
    #: First day of a dose-week: 0 Monday … 6 Sunday.
    week_start: int = 0
    #: A score at or above this completes the challenge (None: no completion).
    target: int | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.ends_on < self.starts_on:
            raise ValueError("a challenge cannot end before it starts")
        if self.daily_cap is not None and self.daily_cap < 1:
            raise ValueError("the daily cap must be at least 1")
        if self.grace < timedelta(0):
            raise ValueError("the grace period cannot be negative")
        if not 0 <= self.day_start_hour <= 6:
            raise ValueError("the day-start hour must be 0–6")
        if self.dose_target < 1:
            raise ValueError("the dose target must be at least 1 minute")
        if not 0 <= self.week_start <= 6:
            raise ValueError("the week start must be 0 (Monday) to 6 (Sunday)")
        if self.target is not None and self.target < 1:
            raise ValueError("the target must be at least 1")

    def joinable(self, local_today: date) -> bool:
        """Whether someone whose local date is ``local_today`` may still join: until the end
        of the last day (late uploads are for those already in, not for newcomers)."""
        return local_today <= self.ends_on

    def allows(self, provenance: str) -> bool:
        if provenance in (Provenance.SCANNER_VERIFIED, Provenance.STAFF_RECORDED):
            return True
        if provenance == Provenance.SELF_REPORTED:
            return self.allow_self_reports
        if provenance == Provenance.DEVICE_IMPORTED:
            return self.allow_device_imports
        return False

    def closes_at(self, zone: str) -> datetime:
        """When the window closes for someone in ``zone``: the start of the local day after
        ``ends_on``, at the day-start hour (UTC)."""
        close = datetime.combine(
            self.ends_on + timedelta(days=1), time(self.day_start_hour), ZoneInfo(zone)
        )
        return close.astimezone(UTC)

    def units(self, event: EngagementEvent) -> int:
        """What one event adds to its bucket before the cap (0: it is not this metric)."""
        if self.metric is Metric.SESSIONS:
            return 0 if event.kind in TILE_KINDS else 1
        if self.metric is Metric.TILES:
            return 1 if event.kind in TILE_KINDS else 0
        if self.metric is Metric.MINUTES:
            return max(event.minutes, 0)
        return max(event.dose_minutes, 0)

    def bucket_of(self, local_date: date) -> date:
        """The day (or, for dose-weeks, the first day of the week) a local date scores in."""
        if self.metric is not Metric.DOSE_WEEKS:
            return local_date
        return local_date - timedelta(days=(local_date.weekday() - self.week_start) % 7)


@dataclass(frozen=True)
class Participant:
    member_id: uuid.UUID
    #: The IANA zone the participant's window closes in.
    zone: str
    #: The team's grouping key (department, location, company, circle), if a team challenge.
    team: str | None = None


def exclusion(
    challenge: Challenge, participant: Participant, event: EngagementEvent
) -> Exclusion | None:
    """Why ``event`` does not count for ``participant`` (None: it counts), voids by other
    events aside."""
    if event.voided:
        return Exclusion.VOIDED
    if not challenge.allows(event.provenance):
        return Exclusion.PROVENANCE
    if challenge.units(event) <= 0:
        return Exclusion.NOT_THIS_METRIC
    if not challenge.starts_on <= event.local_date <= challenge.ends_on:
        return Exclusion.OUTSIDE_WINDOW
    if event.stored_at > challenge.closes_at(participant.zone) + challenge.grace:
        return Exclusion.TOO_LATE
    return None


def _order(event: EngagementEvent) -> tuple[datetime, uuid.UUID]:
    return (event.occurred_at, event.id)


def bucket_value(
    challenge: Challenge, events: Iterable[EngagementEvent]
) -> tuple[int, datetime | None]:
    """The capped value of one bucket's events and when it was reached (None if 0)."""
    ordered = sorted(events, key=_order)
    if challenge.metric is Metric.DOSE_WEEKS:
        return _dose_week_value(challenge, ordered)
    cap = challenge.daily_cap
    running, reached = 0, None
    for event in ordered:
        units = challenge.units(event)
        if units <= 0:
            continue
        running += units
        reached = event.occurred_at
        if cap is not None and running >= cap:
            return cap, reached
    return running, reached


def _dose_week_value(
    challenge: Challenge, ordered: list[EngagementEvent]
) -> tuple[int, datetime | None]:
    cap = challenge.daily_cap
    per_day: dict[date, int] = {}
    week = 0
    for event in ordered:
        before = per_day.get(event.local_date, 0)
        after = before + challenge.units(event)
        per_day[event.local_date] = after
        if cap is not None:
            week += min(after, cap) - min(before, cap)
        else:
            week += after - before
        if week >= challenge.dose_target:
            return 1, event.occurred_at
    return 0, None


@dataclass(frozen=True)
class MemberScore:
    member_id: uuid.UUID
    team: str | None
    score: int
    #: When the current score was reached (None while it is 0).
    reached_at: datetime | None


@dataclass(frozen=True)
class ScoreChange:
    """What applying one event changed: for publishing, and for badges' completion rule."""

    member_id: uuid.UUID
    before: int
    after: int
    completed: bool


@dataclass
class _MemberState:
    buckets: dict[date, dict[uuid.UUID, EngagementEvent]] = field(default_factory=dict)
    values: dict[date, tuple[int, datetime | None]] = field(default_factory=dict)
    score: int = 0
    reached_at: datetime | None = None


class ChallengeScore:
    """The scores of one challenge's participants, updated one ledger event at a time.

    ``apply`` costs the size of the event's bucket (the events of that member's local day,
    or week for dose-weeks) plus the member's number of buckets, never their history.
    """

    def __init__(self, challenge: Challenge, participants: Iterable[Participant]) -> None:
        self.challenge = challenge
        self._participants: dict[uuid.UUID, Participant] = {}
        self._members: dict[uuid.UUID, _MemberState] = {}
        #: Counted events by id: where to find them when a correction voids one.
        self._counted: dict[uuid.UUID, EngagementEvent] = {}
        #: Every event id seen for a participant, counted or not (idempotency).
        self._seen: set[uuid.UUID] = set()
        self._voided: set[uuid.UUID] = set()
        for participant in participants:
            self._add_participant(participant)

    @classmethod
    def rebuild(
        cls,
        challenge: Challenge,
        participants: Iterable[Participant],
        events: Iterable[EngagementEvent],
    ) -> ChallengeScore:
        """The state from the whole ledger: identical to applying the events one by one."""
        state = cls(challenge, participants)
        for event in events:
            state.apply(event)
        return state

    def _add_participant(self, participant: Participant) -> None:
        if participant.member_id in self._participants:
            raise ValueError("this member already takes part in the challenge")
        self._participants[participant.member_id] = participant
        self._members[participant.member_id] = _MemberState()

    def join(self, participant: Participant, history: Iterable[EngagementEvent] = ()) -> None:
        """Add a participant, scoring the events of theirs the ledger already holds."""
        self._add_participant(participant)
        for event in history:
            self.apply(event)

    def apply(self, event: EngagementEvent) -> Exclusion | None:
        """Take one ledger event into account; say why it does not count, if it does not.

        A correction voids the event it names, whether that one arrived before or arrives
        later. The same event id twice changes nothing.
        """
        if event.voids is not None:
            self.void(event.voids)
        if event.voided:
            self.void(event.id)
        participant = self._participants.get(event.member_id)
        if participant is None:
            return Exclusion.NOT_A_PARTICIPANT
        if event.id in self._seen:
            return Exclusion.DUPLICATE
        self._seen.add(event.id)
        if event.id in self._voided:
            return Exclusion.VOIDED
        reason = exclusion(self.challenge, participant, event)
        if reason is None:
            self._counted[event.id] = event
            self._rescore(event, add=True)
        return reason

    def void(self, event_id: uuid.UUID) -> None:
        """Void an event for good: it stops counting, or never will."""
        self._voided.add(event_id)
        event = self._counted.pop(event_id, None)
        if event is not None:
            self._rescore(event, add=False)

    def _rescore(self, event: EngagementEvent, *, add: bool) -> None:
        member = self._members[event.member_id]
        key = self.challenge.bucket_of(event.local_date)
        bucket = member.buckets.setdefault(key, {})
        if add:
            bucket[event.id] = event
        else:
            bucket.pop(event.id, None)
        old_value = member.values.get(key, (0, None))[0]
        value = bucket_value(self.challenge, bucket.values())
        if bucket:
            member.values[key] = value
        else:
            del member.buckets[key]
            member.values.pop(key, None)
        member.score += value[0] - old_value
        member.reached_at = max(
            (at for v, at in member.values.values() if v > 0 and at is not None), default=None
        )

    def change(self, event: EngagementEvent) -> ScoreChange | None:
        """Apply ``event`` and say how the member's score moved (None: not a participant)."""
        member = self._members.get(event.member_id)
        if member is None:
            self.apply(event)
            return None
        before = member.score
        self.apply(event)
        after = member.score
        target = self.challenge.target
        completed = target is not None and before < target <= after
        return ScoreChange(event.member_id, before, after, completed)

    def score(self, member_id: uuid.UUID) -> MemberScore:
        participant = self._participants[member_id]
        member = self._members[member_id]
        return MemberScore(member_id, participant.team, member.score, member.reached_at)

    def scores(self) -> Iterator[MemberScore]:
        for member_id in self._participants:
            yield self.score(member_id)

    def completed(self, member_id: uuid.UUID) -> bool:
        target = self.challenge.target
        return target is not None and self._members[member_id].score >= target

    def state(self) -> dict[uuid.UUID, tuple[int, datetime | None, dict[date, int]]]:
        """Everything that decides the boards, for comparing an incremental state with a
        rebuild."""
        return {
            member_id: (
                member.score,
                member.reached_at,
                {day: v for day, (v, _) in member.values.items()},
            )
            for member_id, member in self._members.items()
        }
