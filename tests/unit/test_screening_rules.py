"""Screening rules: which answers are complete, which yes is resolved by its follow-ups, the
outcome, and how long a clearance holds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.carepath.screening import (
    QUESTION_KEYS,
    QUESTIONS,
    InvalidAnswers,
    Outcome,
    clearance_expires,
    clearance_holds,
    flags_named,
    normalise,
    outcome,
    unresolved,
)
from shared.carepath.vocabulary import RiskFlag


def _all_no() -> dict[str, object]:
    return dict.fromkeys(QUESTION_KEYS, False)


def test_seven_questions_with_stable_keys() -> None:
    assert QUESTION_KEYS == (
        "heart_condition",
        "chest_pain",
        "dizziness",
        "chronic_condition",
        "medication",
        "bone_joint",
        "supervision",
    )


def test_all_no_is_clear() -> None:
    assert outcome(normalise(_all_no())) is Outcome.CLEAR


def test_a_yes_resolved_by_its_follow_ups_is_clear() -> None:
    answers = _all_no() | {
        "heart_condition": True,
        "heart_condition.controlled": True,
        "heart_condition.symptoms": False,
    }
    assert outcome(normalise(answers)) is Outcome.CLEAR


def test_one_worrying_follow_up_needs_clearance() -> None:
    answers = _all_no() | {
        "heart_condition": True,
        "heart_condition.controlled": True,
        "heart_condition.symptoms": True,
    }
    assert unresolved(normalise(answers)) == ("heart_condition",)
    assert outcome(normalise(answers)) is Outcome.NEEDS_CLEARANCE


def test_supervised_activity_only_can_never_be_resolved() -> None:
    assert outcome(normalise(_all_no() | {"supervision": True})) is Outcome.NEEDS_CLEARANCE


def test_a_missing_question_is_refused() -> None:
    answers = _all_no()
    del answers["dizziness"]
    with pytest.raises(InvalidAnswers, match="balance"):
        normalise(answers)


def test_a_yes_without_its_follow_ups_is_refused() -> None:
    with pytest.raises(InvalidAnswers, match="controlled with medicine"):
        normalise(_all_no() | {"chronic_condition": True})


def test_unknown_keys_and_non_booleans_are_refused() -> None:
    with pytest.raises(InvalidAnswers, match="unknown"):
        normalise(_all_no() | {"smoker": True})
    with pytest.raises(InvalidAnswers):
        normalise(_all_no() | {"medication": "yes"})


def test_follow_ups_of_a_no_are_dropped() -> None:
    kept = normalise(_all_no() | {"medication.stable": False})
    assert "medication.stable" not in kept
    assert outcome(kept) is Outcome.CLEAR


def test_clearance_holds_twelve_months_to_the_day() -> None:
    # 3 Dec 2026 + 12 months = 3 Dec 2027: holds on it, not on 4 Dec 2027.
    expires = clearance_expires(date(2026, 12, 3))
    assert expires == date(2027, 12, 3)
    given = date(2026, 12, 3)
    assert clearance_holds(cleared_on=given, expires_on=expires, revoked=False, today=expires)
    after = expires + timedelta(days=1)
    assert not clearance_holds(cleared_on=given, expires_on=expires, revoked=False, today=after)
    revoked = clearance_holds(
        cleared_on=given, expires_on=expires, revoked=True, today=date(2027, 1, 1)
    )
    assert not revoked


def test_a_leap_day_clearance_ends_on_the_last_of_february() -> None:
    assert clearance_expires(date(2028, 2, 29)) == date(2029, 2, 28)


answer = st.booleans()


@st.composite
def complete_answers(draw: st.DrawFn) -> dict[str, bool]:
    answers: dict[str, bool] = {}
    for question in QUESTIONS:
        answers[question.key] = draw(answer)
        for follow_up in question.follow_ups:
            answers[follow_up.key] = draw(answer)
    return answers


@given(complete_answers())
def test_clear_exactly_when_every_yes_has_only_reassuring_follow_ups(
    answers: dict[str, bool],
) -> None:
    kept = normalise(answers)
    expected_clear = all(
        not answers[q.key]
        or (q.follow_ups and all(answers[f.key] is f.resolves for f in q.follow_ups))
        for q in QUESTIONS
    )
    assert (outcome(kept) is Outcome.CLEAR) == bool(expected_clear)


@given(complete_answers())
def test_supervised_activity_only_always_needs_clearance(answers: dict[str, bool]) -> None:
    assert outcome(normalise(answers | {"supervision": True})) is Outcome.NEEDS_CLEARANCE


@given(complete_answers())
def test_all_no_questions_are_clear_whatever_the_follow_ups(answers: dict[str, bool]) -> None:
    answers = answers | dict.fromkeys(QUESTION_KEYS, False)
    assert outcome(normalise(answers)) is Outcome.CLEAR


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_a_clearance_holds_about_a_year_and_lapses_the_next_day(cleared_on: date) -> None:
    expires = clearance_expires(cleared_on)
    assert 365 - 3 <= (expires - cleared_on).days <= 366

    def holds(today: date) -> bool:
        return clearance_holds(
            cleared_on=cleared_on, expires_on=expires, revoked=False, today=today
        )

    assert holds(expires)
    assert holds(cleared_on)
    assert not holds(expires + timedelta(days=1))
    assert not holds(cleared_on - timedelta(days=1))


def test_flags_named_are_the_conditions_said_yes_under_a_yes() -> None:
    answers = {
        "heart_condition": True,
        "heart_condition.high_blood_pressure": True,
        "heart_condition.heart": False,
        "bone_joint": True,
        "bone_joint.recent": True,
        "chronic_condition": False,
        "chronic_condition.type_2_diabetes": True,  # under a no: nothing
    }
    assert flags_named(answers) == {RiskFlag.HIGH_BLOOD_PRESSURE, RiskFlag.RECENT_INJURY}
    assert flags_named({}) == frozenset()


def test_a_condition_is_optional_and_decides_no_clearance() -> None:
    answers: dict[str, object] = {
        **dict.fromkeys(QUESTION_KEYS, False),
        "heart_condition": True,
        "heart_condition.controlled": True,
        "heart_condition.symptoms": False,
    }
    kept = normalise(answers)
    assert "heart_condition.heart" not in kept
    assert outcome(kept) is Outcome.CLEAR
    named = normalise(answers | {"heart_condition.heart": True})
    assert named["heart_condition.heart"] is True
    assert outcome(named) is Outcome.CLEAR
