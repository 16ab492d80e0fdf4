"""Daily and weekly movement streaks on the member's local calendar dates.

A *period* is a local date (daily streak) or a week starting on the tenant's first weekday
(weekly streak; ISO weeks, Monday to Sunday, by default). A period is **met** when its
moderate-equivalent minutes (moderate + 2 × vigorous) reach the rule's target: 150 a week by
default (WHO), 10 a day. Dates are compared as dates, never as 24-hour spans, so a member who
flies Accra → London, or a daylight-saving change, neither creates nor loses a day.

A period that is not met is protected, in this order:

1. **Freeze**: one is earned for every ``freeze_every`` periods counted in a row (at most 2
   held); a missed period uses one: it does not count, the streak goes on.
2. **Repair window**: with no freeze left, the missed period may be made up by movement in
   the 48 hours after it ends, i.e. on the 2 local dates after its last date (for a week:
   the next Monday and Tuesday). Those dates' minutes go first to the missed period's
   shortfall; if that covers it the period counts (as repaired) and only what is left counts
   for the dates' own period. A day missed outright therefore needs a double dose the next
   day (or a dose on each of the next two) to keep a daily streak.
3. **Pause** (illness, travel, coach-approved rest; at most 90 days each): a period that
   touches a pause and is not met neither counts nor breaks the streak; a met one counts.
   A pause is declared, so its periods are not misses at all: they spend no freeze and need
   no repair (it is checked first, though listed last).
4. Otherwise the streak **breaks**: it restarts from 0 at the next period met. With no
   streak to protect there is nothing to freeze or repair.

**When a period is settled.** The state advances on the ledger's own clock: the latest
local date of any movement seen. A movement may arrive up to 2 days after that date (an
upload on Wednesday of Monday's run, Wednesday's movements already in). A period is settled
once the clock is 5 days past the period's end: its 2-date repair window plus 2 days for
late uploads of the window's last date, so no movement that may still arrive on time can
touch it. Until then a late movement changes the outcome exactly as if it had arrived in
order. A movement for a settled period (more than 2 days older than the clock) is kept in
the ledger but no longer changes the streak; ``rebuild`` replays the ledger in recorded
order, so it reaches exactly the state the movements reached one by one.

``StreakState.apply`` takes one movement in O(1), never scanning history: it keeps only the
minutes of the few unsettled dates (at most 12), a missed period ends a streak within 3
steps (2 freezes, then a break), and once the streak is 0 a run of empty periods is skipped
in one step. Only a pause is walked a period at a time: at most 90 steps for a daily streak.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from shared.engagement.dose import WHO_WEEKLY_MINUTES, DayDose, Movement, week_start
from shared.evolve import evolve

MAX_FREEZES = 2
REPAIR_DAYS = 2
#: How late (in days after the latest movement's date) a movement may still be recorded.
LATE_UPLOAD_DAYS = 2
MAX_PAUSE_DAYS = 90


class StreakUnit(StrEnum):
    DAY = "day"
    WEEK = "week"


@dataclass(frozen=True, slots=True)
class StreakRule:
    unit: StreakUnit
    target_minutes: int
    #: A freeze is earned for this many periods counted in a row.
    freeze_every: int
    first_weekday: int = 0

    def __post_init__(self) -> None:
        if self.target_minutes < 1 or self.freeze_every < 1:
            raise ValueError("a streak rule needs a positive target and freeze_every")
        week_start(date(2026, 1, 1), self.first_weekday)  # validates first_weekday

    @property
    def days(self) -> int:
        return 1 if self.unit == StreakUnit.DAY else 7

    def period(self, day: date) -> int:
        """The period's number: consecutive periods have consecutive numbers."""
        if self.unit == StreakUnit.DAY:
            return day.toordinal()
        return week_start(day, self.first_weekday).toordinal() // 7

    def first_day(self, period: int) -> date:
        if self.unit == StreakUnit.DAY:
            return date.fromordinal(period)
        # Week starts have ordinals 7k to 7k + 6 whatever the first weekday, so 7k + 6 lies
        # in week k.
        return week_start(date.fromordinal(period * 7 + 6), self.first_weekday)

    def last_day(self, period: int) -> date:
        return self.first_day(period) + timedelta(days=self.days - 1)

    def last_ending_by(self, day: date) -> int:
        """The last period whose last date is ``day`` or earlier."""
        period = self.period(day)
        return period if self.last_day(period) <= day else period - 1


DAILY = StreakRule(StreakUnit.DAY, target_minutes=10, freeze_every=7)
WEEKLY = StreakRule(StreakUnit.WEEK, target_minutes=WHO_WEEKLY_MINUTES, freeze_every=4)


@dataclass(frozen=True, slots=True)
class Pause:
    """Days (both included, local dates) on which missing movement breaks nothing. Like a
    movement, a pause changes only periods not yet settled: one recorded for days long past
    cannot mend a streak that has already broken."""

    starts_on: date
    ends_on: date
    reason: str = "rest"

    def __post_init__(self) -> None:
        days = (self.ends_on - self.starts_on).days + 1
        if not 1 <= days <= MAX_PAUSE_DAYS:
            raise ValueError(f"a pause lasts 1 to {MAX_PAUSE_DAYS} days, not {days}")


@dataclass(frozen=True, slots=True)
class StreakView:
    current: int
    longest: int
    freezes: int
    #: A missed period whose repair window is still open: movement now can save the streak.
    at_risk: bool


@dataclass(frozen=True, slots=True)
class StreakState:
    rule: StreakRule
    current: int = 0
    longest: int = 0
    freezes: int = 0
    #: Periods counted in a row since the last freeze was earned.
    toward_freeze: int = 0
    #: The latest local date of any movement seen: the clock that settles periods.
    latest: date | None = None
    #: The first period not yet settled.
    next_period: int | None = None
    #: Moderate-equivalent minutes of unsettled dates, by date, less what repairs took.
    pending: tuple[tuple[date, int], ...] = ()
    pauses: tuple[Pause, ...] = ()

    def apply(self, event: DayDose | Movement | Pause) -> StreakState:
        """The state after one more movement or pause."""
        if isinstance(event, Pause):
            return self._with_pause(event)
        dose = event.dose() if isinstance(event, Movement) else event
        day = dose.local_date
        state = self
        if state.next_period is None:
            # Start far enough back that an upload of the days before still lands.
            first = day - timedelta(days=REPAIR_DAYS + LATE_UPLOAD_DAYS)
            state = evolve(state, next_period=self.rule.period(first))
        assert state.next_period is not None
        if day < self.rule.first_day(state.next_period):
            return self  # its period is settled: see "When a period is settled"
        state = evolve(
            state,
            latest=day if state.latest is None else max(state.latest, day),
            pending=_add(state.pending, day, dose.weighted_minutes),
        )
        return state._settle(state._horizon())

    def _with_pause(self, pause: Pause) -> StreakState:
        if self.next_period is not None and pause.ends_on < self.rule.first_day(self.next_period):
            return self
        return evolve(self, pauses=(*self.pauses, pause))

    def _horizon(self) -> int:
        """The last period settled by the latest date: the last date of its repair window
        can arrive until 2 days after it, so a period settles 5 days after its end."""
        assert self.latest is not None
        return self.rule.last_ending_by(
            self.latest - timedelta(days=REPAIR_DAYS + LATE_UPLOAD_DAYS + 1)
        )

    def view(self, today: date) -> StreakView:
        """The streak as the member sees it on ``today`` if nothing more arrives. Periods
        whose repair window has closed settle for good; later ones settle as they would now,
        except that a miss still inside its repair window does not break the streak yet
        (``at_risk``); today's period adds one once it is met."""
        if self.next_period is None:
            return StreakView(0, 0, 0, at_risk=False)
        state = self._settle(self.rule.last_ending_by(today - timedelta(days=REPAIR_DAYS + 1)))
        at_risk = False
        now = self.rule.period(today)
        assert state.next_period is not None
        for period in range(state.next_period, now + 1):
            if period == now:
                if state._minutes(period) >= self.rule.target_minutes:
                    state = state._counted(period)
                continue
            settled = state._settle_one(period)
            if settled.current == 0 and state.current > 0:
                at_risk = True
                continue
            state = settled
        return StreakView(state.current, state.longest, state.freezes, at_risk)

    # --- settling ------------------------------------------------------------------------

    def _minutes(self, period: int) -> int:
        first, last = self.rule.first_day(period), self.rule.last_day(period)
        return sum(m for d, m in self.pending if first <= d <= last)

    def _paused(self, period: int) -> bool:
        first, last = self.rule.first_day(period), self.rule.last_day(period)
        return any(p.starts_on <= last and p.ends_on >= first for p in self.pauses)

    def _settle(self, horizon: int) -> StreakState:
        state = self
        assert state.next_period is not None
        period = state.next_period
        while period <= horizon:
            state = state._skip_quiet(horizon)
            assert state.next_period is not None
            period = state.next_period
            if period > horizon:
                break
            state = state._settle_one(period)
            period += 1
        first = self.rule.first_day(period)
        return evolve(
            state,
            pending=tuple((d, m) for d, m in state.pending if d >= first),
            pauses=tuple(p for p in state.pauses if p.ends_on >= first),
        )

    def _skip_quiet(self, horizon: int) -> StreakState:
        """Jump over periods that cannot change anything: no streak to protect (so no freeze
        or repair either) and no minutes in them. Keeps ``apply`` O(1) after a long gap."""
        assert self.next_period is not None
        if self.current > 0:
            return self
        dated = [d for d, m in self.pending if m > 0]
        if not dated:
            return evolve(self, next_period=max(self.next_period, horizon + 1))
        reachable = self.rule.period(min(dated))
        return evolve(self, next_period=max(self.next_period, min(reachable, horizon + 1)))

    def _settle_one(self, period: int) -> StreakState:
        own = self._minutes(period)
        target = self.rule.target_minutes
        if own >= target:
            return self._counted(period)
        if self._paused(period):
            return evolve(self, next_period=period + 1)
        if self.current == 0:
            # Nothing to protect: no freeze is held, and a repair would save nothing.
            return evolve(self, toward_freeze=0, next_period=period + 1)
        if self.freezes > 0:
            return evolve(self, freezes=self.freezes - 1, next_period=period + 1)
        repaired = self._repair(period, target - own)
        if repaired is not None:
            return repaired._counted(period)
        return evolve(self, current=0, toward_freeze=0, next_period=period + 1)

    def _repair(self, period: int, shortfall: int) -> StreakState | None:
        after = self.rule.last_day(period)
        window = [after + timedelta(days=n) for n in range(1, REPAIR_DAYS + 1)]
        if sum(m for d, m in self.pending if d in window) < shortfall:
            return None
        pending = []
        for day, minutes in self.pending:
            taken = min(minutes, shortfall) if day in window else 0
            shortfall -= taken
            pending.append((day, minutes - taken))
        return evolve(self, pending=tuple(pending))

    def _counted(self, period: int) -> StreakState:
        current = self.current + 1
        toward, freezes = self.toward_freeze + 1, self.freezes
        if toward == self.rule.freeze_every:
            toward, freezes = 0, min(MAX_FREEZES, freezes + 1)
        return evolve(
            self,
            current=current,
            longest=max(self.longest, current),
            freezes=freezes,
            toward_freeze=toward,
            next_period=period + 1,
        )


def _add(
    pending: tuple[tuple[date, int], ...], day: date, minutes: int
) -> tuple[tuple[date, int], ...]:
    totals = dict(pending)
    totals[day] = totals.get(day, 0) + minutes
    return tuple(sorted(totals.items()))


@dataclass(frozen=True, slots=True)
class StreakRisk:
    """A member whose streak breaks unless they move ``minutes_needed`` more (moderate-
    equivalent) before ``period_ends_on`` ends; ``today`` is the member's local date."""

    member_id: uuid.UUID
    unit: StreakUnit
    current: int
    minutes_needed: int
    period_ends_on: date
    today: date | None = field(default=None, compare=False)


def rebuild(rule: StreakRule, events: Iterable[DayDose | Movement | Pause]) -> StreakState:
    """The state from the whole ledger, in recorded order: equal to applying one by one."""
    state = StreakState(rule)
    for event in events:
        state = state.apply(event)
    return state
