"""Rules of corporate accounts, as plain functions: how long an ended employee stays
covered, when an invitation is reminded, and whether a package has a seat left."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

ACTIVE, SUSPENDED, ENDED = "active", "suspended", "ended"
STATUSES = (ACTIVE, SUSPENDED, ENDED)
#: How long an employee's invitation may wait to be accepted.
INVITATION_TTL = timedelta(days=21)
#: Reminders of an invitation not yet accepted, this long after it was sent.
REMINDER_AFTER = (timedelta(days=3), timedelta(days=7))


def covered_until(today: date) -> date:
    """The last day an employee ended ``today`` is still covered: the end of the billing
    period, which is the calendar month (ended on 14 March: covered to 31 March)."""
    return today.replace(day=calendar.monthrange(today.year, today.month)[1])


def still_covered(status: str, until: date | None, today: date) -> bool:
    """Whether the roster row admits today: active does, suspended does not, ended does
    until its ``covered_until`` (that day included)."""
    if status == ACTIVE:
        return True
    if status == ENDED:
        return until is not None and today <= until
    return False


def reminder_due(
    invited_at: datetime, reminders_sent: int, expires_at: datetime, now: datetime
) -> bool:
    """Whether the next reminder of an invitation is due: at most ``len(REMINDER_AFTER)``
    of them, each once its delay since the invitation has passed, never after it expired."""
    if reminders_sent >= len(REMINDER_AFTER) or now >= expires_at:
        return False
    return now >= invited_at + REMINDER_AFTER[reminders_sent]


def seat_left(seats: int | None, taken: int) -> bool:
    """A package without a seat limit always has room; otherwise ``taken`` < ``seats``."""
    return seats is None or taken < seats
