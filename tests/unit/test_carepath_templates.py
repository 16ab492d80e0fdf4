"""The checks a journey plan passes before it is stored, and its JSON round trip."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from shared.carepath.plans import (
    ActivityKind,
    Assessment,
    HabitPoint,
    JourneyPlan,
    PermittedActivity,
    ProgressionKind,
    ProgressionRule,
    WeekTarget,
    from_json,
    to_json,
)
from shared.carepath.templates import label_problems, plan_problems


def _plan(n: int = 4, **changes: object) -> JourneyPlan:
    plan = JourneyPlan(
        weeks=tuple(WeekTarget(week=w, minutes=90 + 10 * w, sessions=2) for w in range(1, n + 1)),
        assessments=(Assessment("rhr", "Resting heart rate", "bpm", 35, 120, (0, n)),),
        progression=(ProgressionRule(ProgressionKind.RAISE_ON_MET, percent=10, cap=200),),
        habit_point=HabitPoint(sessions=6, weeks=2),
    )
    return replace(plan, **changes)  # type: ignore[arg-type]


def test_a_sound_plan_has_no_problems() -> None:
    assert plan_problems(_plan()) == []
    # One week asking only for a Tile is a plan too.
    one_tile = JourneyPlan(weeks=(WeekTarget(1, tiles=1),), habit_point=HabitPoint(1, 1))
    assert plan_problems(one_tile) == []


def test_week_count_is_1_to_52() -> None:
    assert plan_problems(_plan(52)) == []
    assert any("1 to 52 weeks, not 53" in p for p in plan_problems(_plan(53)))
    empty = JourneyPlan(weeks=(), habit_point=HabitPoint(1, 1))
    assert any("not 0" in p for p in plan_problems(empty))


def test_a_week_of_zeros_is_refused_naming_the_week() -> None:
    weeks = list(_plan().weeks)
    weeks[2] = WeekTarget(week=3)
    problems = plan_problems(_plan(weeks=tuple(weeks)))
    assert problems == [
        "week 3: asks for nothing (minutes, sessions, strength days and Tiles are all 0)"
    ]


def test_weeks_must_run_1_to_n_in_order() -> None:
    weeks = list(_plan().weeks)
    weeks[1] = replace(weeks[1], week=5)
    assert plan_problems(_plan(weeks=tuple(weeks))) == [
        "week 2: numbered 5, but weeks run 1 to 4 in order"
    ]


def test_limits_name_week_and_field() -> None:
    weeks = list(_plan().weeks)
    weeks[0] = WeekTarget(1, minutes=1501, sessions=15)
    weeks[3] = WeekTarget(4, minutes=1500, sessions=14)  # exactly at the limits: fine
    problems = plan_problems(_plan(weeks=tuple(weeks)))
    assert problems == [
        "week 1: minutes must be 0 to 1500, not 1501",
        "week 1: sessions must be 0 to 14, not 15",
    ]
    weeks[0] = WeekTarget(1, minutes=-5, sessions=2)
    assert plan_problems(_plan(weeks=tuple(weeks))) == ["week 1: minutes must be 0 to 1500, not -5"]


def test_assessment_range_low_below_high() -> None:
    same = (Assessment("who5", "WHO-5", "score", 50, 50, (0, 4)),)
    assert plan_problems(_plan(assessments=same)) == [
        "assessment who5: low (50) must be below high (50)"
    ]
    late = (Assessment("who5", "WHO-5", "score", 0, 100, (0, 5)),)
    assert plan_problems(_plan(assessments=late)) == ["assessment who5: week 5 is outside 0 to 4"]


def test_progression_percent_1_to_50() -> None:
    for percent, ok in ((0, False), (1, True), (50, True), (51, False)):
        rule = (ProgressionRule(ProgressionKind.RAISE_ON_MET, percent=percent, cap=200),)
        assert (plan_problems(_plan(progression=rule)) == []) is ok, percent
    # A hold rule has no percent.
    hold = (ProgressionRule(ProgressionKind.HOLD_ON_MISSED, after=2),)
    assert plan_problems(_plan(progression=hold)) == []


def test_habit_point_sessions_and_weeks() -> None:
    assert plan_problems(_plan(habit_point=HabitPoint(0, 2))) == [
        "habit point: sessions must be at least 1, not 0"
    ]
    # 4 weeks long: a habit point over 5 weeks could never be reached inside it.
    assert plan_problems(_plan(habit_point=HabitPoint(6, 5))) == [
        "habit point: weeks must be 1 to 4, not 5"
    ]
    assert plan_problems(_plan(habit_point=HabitPoint(6, 4))) == []


def test_labels_must_be_known_words() -> None:
    assert (
        label_problems(
            ceiling="moderate", indications=["stress", "sleep"], contraindications=["pregnancy"]
        )
        == []
    )
    problems = label_problems(
        ceiling="extreme", indications=["stress", "grumpy"], contraindications=["sleep"]
    )
    assert len(problems) == 3
    assert "intensity ceiling 'extreme' is unknown" in problems[0]
    assert "indication 'grumpy'" in problems[1]
    # A goal is not a risk: a journey cannot be kept from members "for" a goal.
    assert "contra-indication 'sleep' is not a risk flag" in problems[2]


_counts = st.integers(min_value=0, max_value=1500)
_weeks = st.lists(
    st.tuples(_counts, st.integers(0, 14), st.integers(0, 7), st.integers(0, 21)),
    min_size=1,
    max_size=52,
)


@st.composite
def _plans(draw: st.DrawFn) -> JourneyPlan:
    rows = draw(_weeks)
    weeks = tuple(WeekTarget(n, *row) for n, row in enumerate(rows, start=1))
    permitted = tuple(
        PermittedActivity(kind, tuple(draw(st.lists(st.uuids().map(str), max_size=3))))
        for kind in draw(st.lists(st.sampled_from(list(ActivityKind)), max_size=4, unique=True))
    )
    low = draw(st.floats(min_value=-1000, max_value=1000, allow_nan=False))
    assessments = tuple(
        Assessment(key, key.title(), "unit", low, low + draw(st.floats(0.5, 500)), (0, len(weeks)))
        for key in draw(st.lists(st.text(min_size=1, max_size=10), max_size=3))
    )
    progression = tuple(
        ProgressionRule(
            kind, draw(st.integers(1, 50)), draw(st.integers(0, 1500)), draw(st.integers(1, 4))
        )
        for kind in draw(st.lists(st.sampled_from(list(ProgressionKind)), max_size=2))
    )
    habit = HabitPoint(draw(st.integers(1, 20)), draw(st.integers(1, len(weeks))))
    return JourneyPlan(weeks, permitted, assessments, progression, habit)


@given(_plans())
def test_json_round_trip(plan: JourneyPlan) -> None:
    assert from_json(to_json(plan)) == plan
