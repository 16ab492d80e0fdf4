"""Pure rules of sync: which pushed mutations are new, clock clamping, walk-in matching."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from shared.clock import ensure_utc
from shared.normalise import normalise_email, phone_digits

#: A device time further ahead of the server than this is a wrong clock, not the future.
FUTURE_TOLERANCE = timedelta(minutes=5)
#: The same pass admitted at two kiosks this close together is worth a look.
SHARED_PASS_WINDOW = timedelta(minutes=2)
#: Phone numbers agreeing on this many final digits are the same number (trunk 0 vs +233).
PHONE_SUFFIX_DIGITS = 9


@dataclass(frozen=True)
class BatchPlan:
    duplicates: list[int]
    new: list[int]
    #: The pushed ids do not continue from the last applied one: nothing may be applied.
    gap: bool


def plan_batch(last_applied: int, mutation_ids: list[int]) -> BatchPlan:
    """Ids up to ``last_applied`` were applied before; the rest must be last+1, last+2, …"""
    if any(b <= a for a, b in pairwise(mutation_ids)):
        raise ValueError("mutation ids must be strictly increasing within a push")
    duplicates = [i for i in mutation_ids if i <= last_applied]
    new = [i for i in mutation_ids if i > last_applied]
    gap = bool(new) and new != list(range(last_applied + 1, last_applied + 1 + len(new)))
    return BatchPlan(duplicates=duplicates, new=new, gap=gap)


def clamp_time(given: datetime, now: datetime) -> tuple[datetime, bool]:
    """The device's time as business time, unless it is far in the future: then now, flagged."""
    given = ensure_utc(given)
    if given > now + FUTURE_TOLERANCE:
        return now, True
    return given, False


def same_phone(a: str | None, b: str | None) -> bool:
    """Equal digits, or the same subscriber number written nationally and internationally."""
    da, db = phone_digits(a), phone_digits(b)
    if da is None or db is None:
        return False
    if da == db:
        return True
    if min(len(da), len(db)) < PHONE_SUFFIX_DIGITS:
        return False
    return da[-PHONE_SUFFIX_DIGITS:] == db[-PHONE_SUFFIX_DIGITS:]


def duplicate_reason(
    email: str | None, phone: str | None, other_email: str | None, other_phone: str | None
) -> str | None:
    """Why a new walk-in looks like an existing member, or None."""
    mine = normalise_email(email)
    if mine is not None and mine == normalise_email(other_email):
        return "same email"
    if same_phone(phone, other_phone):
        return "same phone"
    return None


def phone_suffix(phone: str | None) -> str | None:
    """What to look a phone up by in the database (stored phones are digits with a +)."""
    digits = phone_digits(phone)
    if digits is None:
        return None
    return digits[-PHONE_SUFFIX_DIGITS:]
