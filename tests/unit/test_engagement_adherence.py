"""The Movement Adherence Score: hand-worked values, the O(1) step over idle weeks, late
movements, and properties (in [0, 1], monotone in movement, rebuild = incremental)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.engagement.adherence import AdherenceState, multiplier, rebuild
from shared.engagement.dose import DayDose, Movement, week_start, weekly_dose_ratio
from shared.enums import Intensity

MONDAY = date(2026, 1, 5)


def week(n: int, moderate: int = 0, vigorous: int = 0) -> DayDose:
    return DayDose(MONDAY + timedelta(weeks=n), moderate, vigorous, sessions=1)


def test_the_multiplier_for_three_sessions_a_week() -> None:
    # 0.5 ** (sqrt(3) / 13) = 0.5 ** 0.133235 = exp(-0.092352) = 0.911785
    assert multiplier(3) == pytest.approx(0.911785, abs=1e-6)
    with pytest.raises(ValueError):
        multiplier(0)


def test_four_weeks_of_full_dose_with_f_3() -> None:
    # m = 0.911785; from 0, each full week: s = s·m + (1 − m), so after 4 weeks s = 1 − m⁴
    # m² = 0.831352, m⁴ = 0.691146, s = 0.308854
    state = rebuild([week(0, 150), week(1, 150), week(2, 150), week(3, 150)])
    assert state.score == pytest.approx(0.308854, abs=1e-6)


def test_vigorous_minutes_count_double_and_the_dose_is_capped() -> None:
    # 50 moderate + 2 × 50 vigorous = 150 → dose 1; 400 moderate is also capped at 1
    assert weekly_dose_ratio(week(0, 50, 50).weighted_minutes) == 1.0
    assert weekly_dose_ratio(400) == 1.0
    # 75 of 150 → 0.5; one week: 0.5 × (1 − 0.911785) = 0.044108
    assert rebuild([week(0, 75)]).score == pytest.approx(0.044108, abs=1e-6)
    assert rebuild([week(0, 400)]).score == rebuild([week(0, 150)]).score


def test_light_activity_is_no_dose_but_a_session() -> None:
    light = Movement(MONDAY, 60, Intensity.LOW).dose()
    assert (light.weighted_minutes, light.sessions) == (0, 1)
    assert Movement(MONDAY, 30, Intensity.HIGH).dose().weighted_minutes == 60
    # A movement applies as its dose: 75 vigorous = 150 → a full week.
    vigorous = AdherenceState().apply(Movement(MONDAY, 75, Intensity.VIGOROUS))
    assert vigorous.score == rebuild([week(0, 150)]).score
    with pytest.raises(ValueError):
        Movement(MONDAY, 601, Intensity.MODERATE)
    with pytest.raises(ValueError):
        DayDose(MONDAY, -1)


def test_idle_weeks_decay_in_one_step() -> None:
    # full week 0, idle 1–3, full week 4: s = (1 − m)·m⁴ + (1 − m)
    m = multiplier(3)
    state = rebuild([week(0, 150), week(4, 150)])
    assert state.score == pytest.approx((1 - m) * m**4 + (1 - m))
    # as of week 6 (two more idle weeks): × m²
    assert state.score_as_of(MONDAY + timedelta(weeks=6, days=3)) == pytest.approx(
        state.score * m**2
    )
    assert AdherenceState().score_as_of(MONDAY) == 0.0


def test_a_higher_frequency_reacts_faster() -> None:
    slow = rebuild([week(0, 150)], AdherenceState(frequency=1))
    fast = rebuild([week(0, 150)], AdherenceState(frequency=5))
    # 1 − 0.5^(1/13) = 0.051922; 1 − 0.5^(2.236068/13) = 1 − 0.887608 = 0.112392
    assert slow.score == pytest.approx(0.051922, abs=1e-6)
    assert fast.score == pytest.approx(0.112392, abs=1e-6)


def test_a_late_movement_for_last_week_counts_an_older_one_does_not() -> None:
    on_time = rebuild([week(0, 100), week(0, 50), week(1, 150)])
    late = rebuild([week(0, 100), week(1, 150), week(0, 50)])
    assert late == on_time
    too_late = rebuild([week(0, 100), week(2, 150), week(0, 50)])
    assert too_late == rebuild([week(0, 100), week(2, 150)])


def test_tenant_week_starting_on_sunday() -> None:
    sunday = date(2026, 1, 4)
    assert week_start(sunday) == date(2025, 12, 29)
    assert week_start(sunday, first_weekday=6) == sunday
    # Sunday and the Monday after are one week for such a tenant: one step, dose 1
    state = rebuild(
        [DayDose(sunday, 100), DayDose(sunday + timedelta(days=1), 50)],
        AdherenceState(first_weekday=6),
    )
    assert state.score == pytest.approx(1 - multiplier(3))


doses = st.lists(
    st.tuples(st.integers(0, 120), st.integers(0, 300), st.integers(0, 150)), max_size=40
)


def in_date_order(raw: list[tuple[int, int, int]]) -> list[DayDose]:
    return [DayDose(MONDAY + timedelta(days=d), mod, vig, 1) for d, mod, vig in sorted(raw)]


@given(doses, st.floats(0.2, 7))
def test_score_is_in_0_1_and_rebuild_equals_incremental(
    raw: list[tuple[int, int, int]], f: float
) -> None:
    state = AdherenceState(frequency=f)
    for dose in in_date_order(raw):
        state = state.apply(dose)
        assert 0.0 <= state.score <= 1.0
    assert state == rebuild(in_date_order(raw), AdherenceState(frequency=f))


@given(doses, st.integers(0, 120), st.integers(1, 200))
def test_adding_minutes_never_lowers_the_score(
    raw: list[tuple[int, int, int]], day: int, extra: int
) -> None:
    base = in_date_order(raw)
    more = in_date_order([*raw, (day, extra, 0)])
    last = max([d.local_date for d in more])
    assert rebuild(more).score_as_of(last) >= rebuild(base).score_as_of(last) - 1e-12
    assert math.isfinite(rebuild(more).score)
