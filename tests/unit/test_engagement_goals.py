"""Weekly goals: progress, and the adaptive suggestion after 3 met or 3 missed weeks."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.engagement.dose import DayDose
from shared.engagement.goals import GoalKind, WeeklyGoal, progress, suggest

MONDAY = date(2026, 1, 5)
SESSIONS = GoalKind.SESSIONS
MINUTES = GoalKind.MINUTES


def test_progress_in_sessions_and_in_moderate_equivalent_minutes() -> None:
    week = [DayDose(MONDAY, 30, 0, 1), DayDose(MONDAY, 0, 20, 1)]
    sessions = progress(WeeklyGoal(SESSIONS, 3), week)
    assert (sessions.done, sessions.met, sessions.remaining) == (2, False, 1)
    assert sessions.ratio == pytest.approx(2 / 3)
    # 30 + 2 × 20 = 70 of 60: met, bar full
    minutes = progress(WeeklyGoal(MINUTES, 60), week)
    assert (minutes.done, minutes.met, minutes.ratio, minutes.remaining) == (70, True, 1.0, 0)


def test_three_met_weeks_raise_the_goal() -> None:
    # 3 sessions × 1.1 = 3.3 → 3, but a raise is at least one session: 4
    raised = suggest(WeeklyGoal(SESSIONS, 3), [True, True, True])
    assert raised is not None and raised.target == 4
    assert "met 3 sessions a week for 3 weeks in a row" in raised.reason
    # 10 × 1.1 = 11
    assert suggest(WeeklyGoal(SESSIONS, 10), [False, True, True, True]) == suggest(
        WeeklyGoal(SESSIONS, 10), [True, True, True]
    )
    assert getattr(suggest(WeeklyGoal(SESSIONS, 10), [True] * 3), "target", None) == 11
    # 150 min × 1.1 = 165, a multiple of 5; 120 × 1.1 = 132 → 135
    assert getattr(suggest(WeeklyGoal(MINUTES, 150), [True] * 3), "target", None) == 165
    assert getattr(suggest(WeeklyGoal(MINUTES, 120), [True] * 3), "target", None) == 135
    # 100 × 1.1 = 110 exactly (in floating point 110.00000000000001, which went up to 115)
    assert getattr(suggest(WeeklyGoal(MINUTES, 100), [True] * 3), "target", None) == 110


def test_three_missed_weeks_lower_the_goal_never_below_the_floor() -> None:
    # 150 × 0.9 = 135
    lowered = suggest(WeeklyGoal(MINUTES, 150, floor=60), [False] * 3)
    assert lowered is not None and lowered.target == 135
    assert "out of reach for 3 weeks in a row" in lowered.reason
    assert "never below 60" in lowered.reason
    # 3 sessions × 0.9 = 2.7 → 3, but a cut is at least one session: 2
    assert getattr(suggest(WeeklyGoal(SESSIONS, 3), [False] * 3), "target", None) == 2
    # 65 min × 0.9 = 58.5 → 55, held at the floor of 60
    assert getattr(suggest(WeeklyGoal(MINUTES, 65, floor=60), [False] * 3), "target", None) == 60
    assert suggest(WeeklyGoal(MINUTES, 60, floor=60), [False] * 3) is None


def test_no_suggestion_without_a_run_of_three() -> None:
    assert suggest(WeeklyGoal(SESSIONS, 3), [True, True]) is None
    assert suggest(WeeklyGoal(SESSIONS, 3), [True, False, True]) is None
    assert suggest(WeeklyGoal(SESSIONS, 3), [False, False, True]) is None
    with pytest.raises(ValueError):
        WeeklyGoal(SESSIONS, 2, floor=3)


@given(st.sampled_from(list(GoalKind)), st.integers(1, 50), st.integers(1, 1000), st.booleans())
def test_suggestions_move_the_right_way_and_respect_the_floor(
    kind: GoalKind, floor: int, extra: int, met: bool
) -> None:
    goal = WeeklyGoal(kind, floor + extra, floor)
    suggestion = suggest(goal, [met] * 3)
    if met:
        assert suggestion is not None and suggestion.target > goal.target
        assert suggestion.target <= goal.target * 1.1 + 5
    elif suggestion is not None:
        assert floor <= suggestion.target < goal.target
        assert suggestion.target >= goal.target * 0.9 - 5 or suggestion.target == floor
