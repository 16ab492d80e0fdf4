"""Daily and weekly streaks: hand-worked protection (freeze, then repair, then break),
pauses, late uploads, weeks, and properties: late arrival = in order, zone changes and
daylight saving never create or lose a day, pauses up to 90 days, freezes before repairs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.engagement.dose import DayDose, Movement
from shared.engagement.streaks import (
    DAILY,
    WEEKLY,
    Pause,
    StreakRule,
    StreakState,
    StreakUnit,
    StreakView,
    rebuild,
)
from shared.enums import Intensity

DAY1 = date(2026, 3, 2)  # a Monday
NO_FREEZES = replace(DAILY, freeze_every=10_000)


def day(n: int) -> date:
    return DAY1 + timedelta(days=n - 1)


def active(n: int, minutes: int = 20) -> DayDose:
    return DayDose(day(n), minutes, 0, 1)


def view(state: StreakState, n: int) -> StreakView:
    return state.view(day(n))


def test_ten_days_in_a_row_earn_a_freeze_after_seven() -> None:
    state = rebuild(DAILY, [active(n) for n in range(1, 11)])
    assert view(state, 10) == StreakView(current=10, longest=10, freezes=1, at_risk=False)
    # Settled so far: days 1–5 (day 5 + 2 repair + 2 late + 1 = day 10); the freeze is
    # day 7's, which is settled only on day 12.
    assert (state.current, state.freezes) == (5, 0)
    assert state.apply(active(12)).freezes == 1


def test_a_freeze_is_used_before_the_repair_window() -> None:
    # Days 1–7 (freeze earned), day 8 missed, 20 minutes on days 9 and 10.
    events = [active(n) for n in range(1, 8)] + [active(9), active(10)]
    frozen = view(rebuild(DAILY, events), 11)
    # The freeze covers day 8 (not counted); day 9's minutes stay its own: 7 + 0 + 1 + 1.
    assert (frozen.current, frozen.freezes) == (9, 0)
    # With no freeze, 10 of day 9's 20 minutes repair day 8, which counts: 7 + 1 + 1 + 1.
    repaired = view(rebuild(NO_FREEZES, events), 11)
    assert (repaired.current, repaired.freezes) == (10, 0)


def test_a_repair_takes_the_shortfall_first_and_can_cascade() -> None:
    base = [active(n) for n in range(1, 8)]
    # Day 8 missed; day 9 has 15: 10 repair day 8, 5 left → day 9 is 5 short; day 10's
    # 20 give 5 to day 9 and keep 15 ≥ 10: days 8, 9, 10 all count → 10.
    state = rebuild(NO_FREEZES, [*base, active(9, 15), active(10, 20)])
    assert view(state, 11).current == 10
    # Days 8 and 9 missed, 20 on day 10: day 8 takes 10, day 9 takes 10, day 10 is left
    # with 0 and nothing after it: the streak breaks at day 10 (longest 9).
    broken = rebuild(NO_FREEZES, [*base, active(10, 20)])
    assert view(broken, 14) == StreakView(0, 9, 0, at_risk=False)
    # 30 on day 10 pays for all three days.
    assert view(rebuild(NO_FREEZES, [*base, active(10, 30)]), 11).current == 10


def test_a_missed_period_outside_the_window_breaks() -> None:
    # Days 8, 9, 10 empty: day 8's window (9, 10) has nothing; the streak restarts on day 11.
    state = rebuild(NO_FREEZES, [*(active(n) for n in range(1, 8)), active(11)])
    assert view(state, 11) == StreakView(1, 7, 0, at_risk=False)


def test_the_view_is_at_risk_while_the_window_is_open() -> None:
    state = rebuild(NO_FREEZES, [active(n) for n in range(1, 6)])
    # Day 6 missed; on day 7 and day 8 it can still be repaired.
    assert view(state, 7) == StreakView(5, 5, 0, at_risk=True)
    assert view(state, 8).at_risk
    # On day 9 the window (days 7 and 8) has closed: broken.
    assert view(state, 9) == StreakView(0, 5, 0, at_risk=False)
    assert StreakState(DAILY).view(day(1)) == StreakView(0, 0, 0, at_risk=False)


def test_a_pause_neither_counts_nor_breaks_and_spends_no_freeze() -> None:
    events: list[DayDose | Movement | Pause] = [active(n) for n in range(1, 8)]
    events += [Pause(day(8), day(97), "illness"), active(98), active(99)]
    state = rebuild(DAILY, events)
    # 7 before, 90 paused days, 2 after; the freeze earned on day 7 is still held.
    assert view(state, 99) == StreakView(9, 9, 1, at_risk=False)
    with pytest.raises(ValueError, match="1 to 90 days"):
        Pause(day(8), day(98))
    with pytest.raises(ValueError):
        Pause(day(8), day(7))
    # A pause recorded once its days are settled mends nothing.
    broken = rebuild(NO_FREEZES, [*(active(n) for n in range(1, 8)), active(20)])
    mended = broken.apply(Pause(day(8), day(19)))
    assert view(mended, 20) == view(broken, 20) == StreakView(1, 7, 0, at_risk=False)
    assert broken.apply(Pause(day(8), day(12))) == broken


def test_activity_during_a_pause_still_counts() -> None:
    state = rebuild(DAILY, [active(1), Pause(day(2), day(5)), active(3), active(6)])
    assert view(state, 6).current == 3


def test_a_late_upload_within_the_window_counts_as_if_in_order() -> None:
    in_order = rebuild(NO_FREEZES, [active(n) for n in range(1, 9)])
    late = rebuild(NO_FREEZES, [*(active(n) for n in range(1, 6)), active(7), active(8), active(6)])
    assert late == in_order
    # An upload for a settled day (day 2 once day 6 is seen) changes nothing.
    assert in_order.apply(active(2, 500)) == in_order


def test_the_weekly_streak_on_the_who_dose_with_a_monday_repair() -> None:
    def on(week: int, weekday: int, moderate: int, vigorous: int = 0) -> DayDose:
        return DayDose(DAY1 + timedelta(weeks=week, days=weekday), moderate, vigorous, 1)

    events = [
        on(0, 0, 50, 50),  # 50 + 2 × 50 = 150: met
        on(1, 2, 150),
        on(2, 4, 0, 75),  # 2 × 75 = 150: met
        on(3, 1, 100),  # 100: 50 short, no freeze yet (one per 4 weeks)
        on(4, 0, 60),  # next Monday: 50 repair week 3, 10 stay in week 4
        on(4, 2, 140),  # week 4: 10 + 140 = 150: met
    ]
    state = rebuild(WEEKLY, events)
    sunday = DAY1 + timedelta(weeks=4, days=6)
    # Four in a row (weeks 0–3) earned one freeze.
    assert state.view(sunday) == StreakView(5, 5, 1, at_risk=False)
    # A movement on week 6's Sunday settles week 5, missed: the freeze covers it.
    later = state.apply(on(6, 6, 10))
    assert (later.current, later.longest, later.freezes) == (5, 5, 0)
    # Without the Monday make-up (Wednesday is too late), week 3 breaks; week 4 restarts.
    broken = rebuild(WEEKLY, [*events[:4], on(4, 2, 200)])
    assert broken.view(sunday) == StreakView(1, 3, 0, at_risk=False)


def test_a_tenant_week_starting_on_sunday() -> None:
    sunday_weeks = StreakRule(StreakUnit.WEEK, 150, 4, first_weekday=6)
    # Sunday 1 March and Saturday 7 March are one Sunday-to-Saturday week.
    events = [DayDose(date(2026, 3, 1), 75), DayDose(date(2026, 3, 7), 75)]
    assert view(rebuild(sunday_weeks, events), 6).current == 1
    assert view(rebuild(WEEKLY, events), 6).current == 0
    with pytest.raises(ValueError):
        StreakRule(StreakUnit.WEEK, 150, 4, first_weekday=7)
    with pytest.raises(ValueError):
        StreakRule(StreakUnit.DAY, 0, 4)


def test_movements_convert_to_their_dose() -> None:
    state = rebuild(DAILY, [Movement(day(1), 5, Intensity.VIGOROUS)])
    assert view(state, 1).current == 1  # 2 × 5 = 10 ≥ 10
    assert view(rebuild(DAILY, [Movement(day(1), 30, Intensity.LOW)]), 1).current == 0


def test_a_long_gap_is_one_step() -> None:
    state = rebuild(DAILY, [active(1), active(3650), active(3651)])
    assert view(state, 3651) == StreakView(2, 2, 0, at_risk=False)
    assert len(state.pending) <= 5


# --- properties ------------------------------------------------------------------------

days_active = st.lists(st.tuples(st.integers(1, 60), st.integers(0, 40)), min_size=1, max_size=60)


def late_order(events: list[DayDose], swaps: list[bool]) -> list[DayDose]:
    """``events`` (in date order) as they might arrive: some held back, but never later than
    2 days after the latest date already seen."""
    arrived: list[DayDose] = []
    held: list[DayDose] = []
    for event, hold in zip(events, swaps, strict=False):
        ready = [h for h in held if h.local_date >= event.local_date - timedelta(days=2)]
        for h in held:
            if h not in ready:
                arrived.append(h)
        held = ready
        (held if hold else arrived).append(event)
    return [*arrived, *held]


@given(
    days_active,
    st.lists(st.booleans(), min_size=60, max_size=60),
    st.sampled_from([DAILY, NO_FREEZES, WEEKLY]),
)
def test_late_arrival_within_the_window_equals_rebuild_in_date_order(
    raw: list[tuple[int, int]], swaps: list[bool], rule: StreakRule
) -> None:
    events = sorted((active(n, m) for n, m in raw), key=lambda e: e.local_date)
    in_order = rebuild(rule, events)
    state = StreakState(rule)
    for event in late_order(events, swaps):
        state = state.apply(event)
        assert len(state.pending) <= 12
    assert state == in_order
    assert state.view(day(70)) == in_order.view(day(70))
    assert 0 <= state.current <= state.longest and 0 <= state.freezes <= 2


@given(
    st.integers(0, 40),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(1, 20),
    st.integers(1, 20),
)
def test_flying_accra_to_london_never_creates_or_loses_a_day(
    start: int, hour: int, minute: int, before: int, after: int
) -> None:
    # Around the spring change to BST (29 March 2026): a session on every local date, in
    # Accra (UTC+0) for ``before`` days, then in London (UTC+0/+1). The UTC gap between two
    # sessions varies (23 to 25 hours and more), the count of dates does not.
    first = date(2026, 3, 1) + timedelta(days=start)
    state = StreakState(DAILY)
    for i in range(before + after):
        zone = ZoneInfo("Africa/Accra" if i < before else "Europe/London")
        at = datetime.combine(first + timedelta(days=i), time(hour, minute), zone)
        at = at.astimezone(UTC).astimezone(zone)  # the ledger stores UTC and the zone
        state = state.apply(DayDose(at.date(), 20, 0, 1))
    last = first + timedelta(days=before + after - 1)
    assert state.view(last).current == before + after


@given(st.integers(1, 30), st.integers(1, 90), st.integers(1, 10))
def test_pauses_up_to_90_days_keep_the_streak(before: int, paused: int, after: int) -> None:
    events: list[DayDose | Movement | Pause] = [active(n) for n in range(1, before + 1)]
    events.append(Pause(day(before + 1), day(before + paused)))
    events += [active(n) for n in range(before + paused + 1, before + paused + after + 1)]
    state = rebuild(DAILY, events)
    end = before + paused + after
    assert view(state, end).current == before + after
    # The pause does not reset the run toward a freeze, and spends none.
    assert view(state, end).freezes == min(2, (before + after) // 7)


@given(st.integers(7, 30), st.integers(10, 40), st.integers(10, 40))
def test_freezes_come_before_the_repair_window_before_a_break(
    before: int, next_day: int, day_after: int
) -> None:
    # ``before`` days in a row earn ≥ 1 freeze; the next day is missed; then two days with
    # at least the daily 10 minutes each.
    missed = before + 1
    events = [active(n) for n in range(1, before + 1)]
    events += [active(missed + 1, next_day), active(missed + 2, day_after)]
    seen = view(rebuild(DAILY, events), missed + 2)
    # The freeze covers the missed day (not counted) and no minutes are taken to repair it.
    assert seen.current == before + 2
    held, toward = min(2, before // 7), before % 7
    assert seen.freezes == (min(2, held) if toward + 2 >= 7 else held - 1)
    # With no freeze, enough minutes after it repair the missed day, which then counts;
    # too few break the streak or leave it at risk, never more than ``before + 2``.
    without = view(rebuild(NO_FREEZES, events), missed + 2)
    if next_day + day_after >= 30:
        assert without.current == before + 3
    else:
        assert without.current <= before + 2


@given(st.integers(0, 6), st.integers(730_000, 740_000))
def test_period_numbers_round_trip_for_every_first_weekday(first: int, ordinal: int) -> None:
    for rule in (DAILY, replace(WEEKLY, first_weekday=first)):
        some_day = date.fromordinal(ordinal)
        period = rule.period(some_day)
        assert rule.first_day(period) <= some_day <= rule.last_day(period)
        assert rule.period(rule.last_day(period) + timedelta(days=1)) == period + 1
        assert rule.first_day(period).weekday() == (
            first if rule is not DAILY else some_day.weekday()
        )
