"""Pure rules of coaching: what a contact must say, who is slipping, and in which order a
coach sees their members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

#: A tenant's default: an adherence score below half is slipping.
DEFAULT_SLIPPING_BELOW = 0.5
#: Two weeks without movement is slipping, whatever the score says.
INACTIVE_DAYS = 14


class ContactKind(StrEnum):
    NOTE = "note"
    CALL = "call"
    REFERRAL = "referral"
    MESSAGE = "message"


class CallOutcome(StrEnum):
    REACHED = "reached"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"


class ReferralTarget(StrEnum):
    GP = "gp"
    PHYSIOTHERAPIST = "physiotherapist"
    DIETITIAN = "dietitian"
    MENTAL_HEALTH = "mental_health"
    OTHER = "other"


class MessageOutcome(StrEnum):
    SENT = "sent"
    #: In the member's quiet hours: it goes when they end.
    HELD = "held"
    SKIPPED = "skipped"


REFERRAL_LABELS = {
    ReferralTarget.GP: "GP",
    ReferralTarget.PHYSIOTHERAPIST: "Physiotherapist",
    ReferralTarget.DIETITIAN: "Dietitian",
    ReferralTarget.MENTAL_HEALTH: "Mental health",
    ReferralTarget.OTHER: "Other",
}
OUTCOME_LABELS = {
    CallOutcome.REACHED: "Reached",
    CallOutcome.VOICEMAIL: "Voicemail",
    CallOutcome.NO_ANSWER: "No answer",
}


def contact_problem(
    kind: ContactKind,
    text: str,
    outcome: CallOutcome | None,
    referred_to: ReferralTarget | None,
) -> str | None:
    """Why a contact cannot be recorded as given, or None. A call needs its outcome (its
    text is optional); a referral needs whom to (and, for "other", who in the text); a note
    needs its text. Fields of another kind are refused rather than silently dropped."""
    said = text.strip()
    if kind is ContactKind.MESSAGE:
        return "a message to the member is sent as a nudge, not logged"
    if kind is ContactKind.CALL:
        if outcome is None:
            return "a call needs its outcome: reached, voicemail or no_answer"
        if referred_to is not None:
            return "only a referral names whom it refers to"
        return None
    if outcome is not None:
        return "only a call has an outcome"
    if kind is ContactKind.REFERRAL:
        if referred_to is None:
            return "a referral needs whom it refers to"
        if referred_to is ReferralTarget.OTHER and not said:
            return "a referral to someone else says who in its text"
        return None
    if referred_to is not None:
        return "only a referral names whom it refers to"
    return None if said else "a note needs its text"


def days_inactive(last_active_on: date | None, today: date) -> int | None:
    """Whole calendar days since the member last moved; None if they never have."""
    return None if last_active_on is None else max(0, (today - last_active_on).days)


def slipping(score: float, inactive: int | None, threshold: float) -> bool:
    """Below the tenant's threshold, or not moved for two weeks (or ever)."""
    return score < threshold or inactive is None or inactive >= INACTIVE_DAYS


@dataclass(frozen=True, slots=True)
class Standing:
    score: float
    inactive: int | None
    last_name: str
    first_name: str


def order_key(s: Standing, threshold: float) -> tuple[int, float, int, str, str]:
    """Slipping first, the lowest score first among them and, at an equal score, the longest
    inactive (never active before any); then everyone else by name. The list's SQL orders
    the same way; this is the rule it is tested against."""
    if slipping(s.score, s.inactive, threshold):
        never = 10**6 if s.inactive is None else s.inactive
        return (0, s.score, -never, s.last_name.lower(), s.first_name.lower())
    return (1, 0.0, 0, s.last_name.lower(), s.first_name.lower())


def message_why(coach_name: str) -> str:
    return f"message from {coach_name}"
