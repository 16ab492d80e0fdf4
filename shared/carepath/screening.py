"""Pre-participation screening in the style of the PAR-Q+: seven general yes/no questions,
short follow-ups asked on a yes, and the outcome.

A yes is *resolved* when every one of its follow-ups is answered the reassuring way (the
PAR-Q+ clears a member whose follow-up answers are all "no" to further risk); a member with
any unresolved yes needs a staff clearance before anything above low intensity. Clearance
holds for twelve months.

Answers are a flat mapping of keys to booleans: a question's key (``heart_condition``) and
each follow-up's key (``heart_condition.controlled``). The keys are stable (stored answers
and API clients use them); the wording lives only in :data:`QUESTIONS`.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shared.carepath.vocabulary import RiskFlag, intensity_rank


class Outcome(StrEnum):
    CLEAR = "clear"
    NEEDS_CLEARANCE = "needs_clearance"


@dataclass(frozen=True)
class FollowUp:
    key: str
    text: str
    #: The answer that resolves the question's yes.
    resolves: bool


@dataclass(frozen=True)
class Condition:
    """An optional follow-up that names which condition a yes is about. It decides nothing
    about clearance; a yes to it records the matching risk flag (source: screening)."""

    key: str
    text: str
    flag: RiskFlag


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    #: Asked on a yes. A question with none (medically supervised activity only) can never be
    #: resolved by the member's own answers.
    follow_ups: tuple[FollowUp, ...]
    #: Asked on a yes too, and optional: which condition it is.
    conditions: tuple[Condition, ...] = ()


def _q(
    key: str,
    text: str,
    *follow_ups: tuple[str, str, bool],
    conditions: tuple[tuple[str, str, RiskFlag], ...] = (),
) -> Question:
    return Question(
        key,
        text,
        tuple(FollowUp(f"{key}.{k}", t, r) for k, t, r in follow_ups),
        tuple(Condition(f"{key}.{k}", t, flag) for k, t, flag in conditions),
    )


#: The questions in the order they are asked.
QUESTIONS: tuple[Question, ...] = (
    _q(
        "heart_condition",
        "Has a doctor ever said you have a heart condition or high blood pressure?",
        ("controlled", "Is it well controlled with medicine or other treatment?", True),
        (
            "symptoms",
            "Do you get an irregular heartbeat, unusual breathlessness or chest discomfort "
            "when you are active?",
            False,
        ),
        conditions=(
            ("high_blood_pressure", "Is it high blood pressure?", RiskFlag.HIGH_BLOOD_PRESSURE),
            (
                "heart",
                "Is it a condition of the heart itself (heart disease, a rhythm problem)?",
                RiskFlag.CARDIOVASCULAR,
            ),
        ),
    ),
    _q(
        "chest_pain",
        "Do you feel pain in your chest at rest, during your daily activities, or when you "
        "are physically active?",
        ("examined", "Has a doctor examined this pain and said it is not from your heart?", True),
    ),
    _q(
        "dizziness",
        "In the last 12 months, have you lost your balance because of dizziness, or lost "
        "consciousness?",
        (
            "over_breathing",
            "Did it happen only from breathing hard during vigorous exercise?",
            True,
        ),
    ),
    _q(
        "chronic_condition",
        "Has a doctor diagnosed another chronic medical condition (other than heart disease "
        "or high blood pressure)?",
        ("controlled", "Is it well controlled with medicine or other treatment?", True),
        (
            "limits",
            "Has it caused complications, or has a doctor told you to limit activity because "
            "of it?",
            False,
        ),
        conditions=(
            ("type_2_diabetes", "Is it type 2 diabetes?", RiskFlag.TYPE_2_DIABETES),
            ("pre_diabetes", "Is it pre-diabetes?", RiskFlag.PRE_DIABETES),
            ("respiratory", "Is it asthma or another lung condition?", RiskFlag.RESPIRATORY),
            ("osteoporosis", "Is it osteoporosis?", RiskFlag.OSTEOPOROSIS),
        ),
    ),
    _q(
        "medication",
        "Do you currently take prescribed medicine for a chronic medical condition?",
        (
            "stable",
            "Has the medicine been stable, with no advice from your doctor to limit activity?",
            True,
        ),
    ),
    _q(
        "bone_joint",
        "Do you have a bone, joint or soft-tissue (muscle, ligament or tendon) problem that "
        "could be made worse by becoming more active?",
        ("controlled", "Can you do your normal daily activities without it getting worse?", True),
        ("recent", "Have you had an injury or surgery for it in the last 6 months?", False),
        conditions=(
            ("back", "Is it your back?", RiskFlag.LOW_BACK_PAIN),
            ("joint", "Is it a joint (a knee, hip or shoulder, for example)?", RiskFlag.JOINT_PAIN),
        ),
    ),
    _q(
        "supervision",
        "Has a doctor said that you should only be physically active under medical supervision?",
    ),
)

QUESTION_KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS)
_BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}
_FOLLOW_UP_KEYS: frozenset[str] = frozenset(f.key for q in QUESTIONS for f in q.follow_ups)
_CONDITION_KEYS: frozenset[str] = frozenset(c.key for q in QUESTIONS for c in q.conditions)
#: Follow-ups that decide clearance and also name a condition: a yes to them is that flag.
_FOLLOW_UP_FLAGS: dict[str, RiskFlag] = {"bone_joint.recent": RiskFlag.RECENT_INJURY}

#: What each outcome means, in the member's words.
OUTCOME_TEXTS: dict[Outcome, str] = {
    Outcome.CLEAR: "You are clear to take part in classes of any intensity. Start gently and "
    "build up; answer the questionnaire again if your health changes.",
    Outcome.NEEDS_CLEARANCE: "Some of your answers need a check first. Until a member of "
    "staff records a clearance (for example after a letter from your doctor), you can book "
    "low-intensity classes only.",
}


class InvalidAnswers(ValueError):
    """The answers miss a question or a follow-up, or name one that does not exist."""


def normalise(answers: Mapping[str, object]) -> dict[str, bool]:
    """The answers as they are kept: every question, and the follow-ups of each yes (those
    of a no are dropped). InvalidAnswers if one is missing, unknown or not a yes/no."""
    unknown = sorted(set(answers) - set(QUESTION_KEYS) - _FOLLOW_UP_KEYS - _CONDITION_KEYS)
    if unknown:
        raise InvalidAnswers(f"unknown question: {', '.join(unknown)}")
    kept: dict[str, bool] = {}
    for question in QUESTIONS:
        value = answers.get(question.key)
        if not isinstance(value, bool):
            raise InvalidAnswers(f"answer yes or no to: {question.text}")
        kept[question.key] = value
        if not value:
            continue
        for follow_up in question.follow_ups:
            further = answers.get(follow_up.key)
            if not isinstance(further, bool):
                raise InvalidAnswers(f"answer yes or no to: {follow_up.text}")
            kept[follow_up.key] = further
        for condition in question.conditions:
            named = answers.get(condition.key)
            if named is None:
                continue  # which condition it is may be left unsaid
            if not isinstance(named, bool):
                raise InvalidAnswers(f"answer yes or no to: {condition.text}")
            kept[condition.key] = named
    return kept


def flags_named(answers: Mapping[str, bool]) -> frozenset[RiskFlag]:
    """The risk flags the answers name: a yes to a follow-up naming a condition, under a
    question answered yes."""
    named: set[RiskFlag] = set()
    for question in QUESTIONS:
        if answers.get(question.key) is not True:
            continue
        for condition in question.conditions:
            if answers.get(condition.key) is True:
                named.add(condition.flag)
        for follow_up in question.follow_ups:
            flag = _FOLLOW_UP_FLAGS.get(follow_up.key)
            if flag is not None and answers.get(follow_up.key) is True:
                named.add(flag)
    return frozenset(named)


def unresolved(answers: Mapping[str, bool]) -> tuple[str, ...]:
    """The keys of the questions answered yes and not resolved by their follow-ups."""
    left = []
    for question in QUESTIONS:
        if not answers.get(question.key):
            continue
        resolved = bool(question.follow_ups) and all(
            answers.get(f.key) is f.resolves for f in question.follow_ups
        )
        if not resolved:
            left.append(question.key)
    return tuple(left)


def outcome(answers: Mapping[str, bool]) -> Outcome:
    """Clear when every yes is resolved (all no is clear); otherwise a clearance is needed."""
    return Outcome.NEEDS_CLEARANCE if unresolved(answers) else Outcome.CLEAR


#: How long a clearance holds.
CLEARANCE_MONTHS = 12


def clearance_expires(cleared_on: date) -> date:
    """The last day a clearance given on ``cleared_on`` holds: the same day twelve months
    later (the month's last day when that month is shorter: 29 Feb → 28 Feb)."""
    months = cleared_on.month - 1 + CLEARANCE_MONTHS
    year, month = cleared_on.year + months // 12, months % 12 + 1
    return date(year, month, min(cleared_on.day, calendar.monthrange(year, month)[1]))


def clearance_holds(*, cleared_on: date, expires_on: date, revoked: bool, today: date) -> bool:
    """A clearance counts from the day it was given through ``expires_on``, unless revoked."""
    return not revoked and cleared_on <= today <= expires_on


class FlagSource(StrEnum):
    """Where a risk flag came from."""

    STAFF = "staff"
    INTEGRATION = "integration"
    SCREENING = "screening"


def limited_offline(limited: bool, cleared_until: date | None, today: date) -> bool:
    """Whether a member a kiosk holds as ``limited`` (the latest screening needs a
    clearance) is still limited to low intensity on ``today``: yes unless a clearance holds
    through today."""
    return limited and (cleared_until is None or today > cleared_until)


def above_low(intensity: str | None) -> bool:
    """An activity above low intensity; one of unknown intensity counts as above (errs
    safe, as the server's booking gate)."""
    if intensity is None:
        return True
    try:
        return intensity_rank(intensity) > 0
    except ValueError:
        return True
