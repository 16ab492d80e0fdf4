"""A journey's adherence rules on hand-worked examples, and their properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.carepath.adherence import (
    WeekCounts,
    WeekResult,
    habit_point_on,
    is_paused_week,
    journey_adherence,
    moderate_equivalent,
    week_dose,
    week_met,
    weeks_met,
)
from shared.carepath.plans import (
    HabitPoint,
    JourneyPlan,
    ProgressionKind,
    ProgressionRule,
    WeekTarget,
)
from shared.carepath.progression import Adjustments, Mix, adjusted, roll_weeks


def test_vigorous_minutes_count_twice_and_light_not_at_all() -> None:
    assert moderate_equivalent(30, "vigorous") == 60
    assert moderate_equivalent(30, "high") == 60
    assert moderate_equivalent(30, "moderate") == 30
    assert moderate_equivalent(30, "light") == 0


def test_dose_is_the_mean_of_the_capped_ratios_of_the_non_zero_targets() -> None:
    target = WeekTarget(week=1, minutes=120, sessions=3, strength_days=0, tiles=4)
    # minutes 150/120 → capped 1; sessions 1/3; strength not asked; tiles 2/4 = 0.5
    # dose = (1 + 1/3 + 0.5) / 3 = 0.6111…
    counts = WeekCounts(minutes=150, sessions=1, strength_days=2, tiles=2)
    assert week_dose(counts, target) == pytest.approx((1 + 1 / 3 + 0.5) / 3)
    assert not week_met(counts, target)
    assert week_met(WeekCounts(minutes=120, sessions=3, tiles=4), target)


def test_a_week_asking_nothing_is_met() -> None:
    assert week_dose(WeekCounts(), WeekTarget(week=1)) == 1.0


def test_adherence_skips_paused_and_open_weeks_and_overdoing_cannot_make_up() -> None:
    weeks = [
        WeekResult(dose=1.0, met=True),  # week 1: overdone, capped at 1
        WeekResult(dose=0.0, met=False, paused=True),  # paused: left out
        WeekResult(dose=0.5, met=False),
        WeekResult(dose=0.2, met=False, closed=False),  # still running: left out
    ]
    # (1 + 0.5) / 2 = 0.75
    assert journey_adherence(weeks) == pytest.approx(0.75)
    assert weeks_met(weeks) == 1
    assert journey_adherence([]) == 0.0


def test_a_week_paused_on_most_days_is_left_out() -> None:
    assert not is_paused_week(3)
    assert is_paused_week(4)


def test_habit_point_is_the_date_of_the_nth_activity_within_the_first_weeks() -> None:
    start = date(2026, 1, 5)  # a Monday
    by_day = {date(2026, 1, 5): 2, date(2026, 1, 9): 1, date(2026, 1, 14): 3, date(2026, 1, 20): 5}
    # 2 + 1 = 3 by the 9th, 3 + 3 = 6 on the 14th: within 2 weeks (ends the 19th)
    assert habit_point_on(by_day, start, HabitPoint(sessions=6, weeks=2)) == date(2026, 1, 14)
    # 7 needs the 20th, past the first two weeks
    assert habit_point_on(by_day, start, HabitPoint(sessions=7, weeks=2)) is None


def _plan(*weeks: WeekTarget, rules: tuple[ProgressionRule, ...] = ()) -> JourneyPlan:
    return JourneyPlan(weeks=weeks, progression=rules)


def test_raise_on_met_raises_next_weeks_minutes_up_to_the_cap() -> None:
    plan = _plan(
        WeekTarget(1, minutes=100),
        WeekTarget(2, minutes=100),
        WeekTarget(3, minutes=100),
        rules=(ProgressionRule(ProgressionKind.RAISE_ON_MET, percent=20, cap=130),),
    )
    counts = {1: WeekCounts(minutes=100), 2: WeekCounts(minutes=130)}
    weeks = roll_weeks(plan, counts, paused={}, closed={1: True, 2: True})
    # week 2: 100 × 1.2 = 120; week 3: 120 × 1.2 = 144, capped at 130
    assert [w.target.minutes for w in weeks] == [100, 120, 130]


def test_hold_on_missed_keeps_the_last_met_weeks_targets() -> None:
    plan = _plan(
        WeekTarget(1, minutes=60, sessions=2),
        WeekTarget(2, minutes=90, sessions=3),
        WeekTarget(3, minutes=120, sessions=3),
        WeekTarget(4, minutes=150, sessions=4),
        rules=(ProgressionRule(ProgressionKind.HOLD_ON_MISSED, after=2),),
    )
    counts = {1: WeekCounts(minutes=60, sessions=2), 2: WeekCounts(), 3: WeekCounts()}
    weeks = roll_weeks(plan, counts, paused={}, closed={1: True, 2: True, 3: True})
    # week 2 and 3 missed (2 in a row): week 4 held at week 1's 60 minutes, 2 sessions
    assert weeks[3].target == WeekTarget(4, minutes=60, sessions=2)
    # one missed week is not enough: week 3 keeps its plan
    assert weeks[2].target == WeekTarget(3, minutes=120, sessions=3)


def test_a_paused_week_neither_raises_nor_holds() -> None:
    plan = _plan(
        WeekTarget(1, minutes=100),
        WeekTarget(2, minutes=100),
        WeekTarget(3, minutes=100),
        rules=(ProgressionRule(ProgressionKind.RAISE_ON_MET, percent=10),),
    )
    counts = {1: WeekCounts(minutes=100), 2: WeekCounts(minutes=999)}
    weeks = roll_weeks(plan, counts, paused={2: True}, closed={1: True, 2: True})
    # week 2 raised from week 1 (110); week 3 looks past paused week 2 to week 1 → 110
    assert [w.target.minutes for w in weeks] == [100, 110, 110]


def test_mix_and_coach_targets_apply_from_their_week() -> None:
    target = WeekTarget(3, minutes=90, sessions=2, tiles=1)
    more_tiles = Adjustments(mix=Mix.MORE_TILES, mix_from_week=3)
    assert adjusted(target, more_tiles) == WeekTarget(3, minutes=90, sessions=1, tiles=3)
    later = Adjustments(mix=Mix.MORE_TILES, mix_from_week=4)
    assert adjusted(target, later) == target
    set_minutes = Adjustments(targets={3: {"minutes": 60}})
    assert adjusted(target, set_minutes).minutes == 60


counts_st = st.builds(
    WeekCounts,
    minutes=st.integers(0, 2000),
    sessions=st.integers(0, 30),
    strength_days=st.integers(0, 7),
    tiles=st.integers(0, 50),
)
target_st = st.builds(
    WeekTarget,
    week=st.just(1),
    minutes=st.integers(0, 600),
    sessions=st.integers(0, 10),
    strength_days=st.integers(0, 7),
    tiles=st.integers(0, 20),
)
result_st = st.builds(
    WeekResult,
    dose=st.floats(0, 1),
    met=st.booleans(),
    paused=st.booleans(),
    closed=st.booleans(),
)


@given(counts_st, target_st)
def test_dose_is_between_0_and_1_and_met_only_at_1(counts: WeekCounts, target: WeekTarget) -> None:
    dose = week_dose(counts, target)
    assert 0.0 <= dose <= 1.0
    assert week_met(counts, target) == (dose == 1.0)


@given(st.lists(result_st, max_size=20))
def test_adherence_never_above_1_and_paused_weeks_ignored(weeks: list[WeekResult]) -> None:
    adherence = journey_adherence(weeks)
    assert 0.0 <= adherence <= 1.0
    unpaused = [w for w in weeks if not w.paused]
    assert adherence == journey_adherence(unpaused)
