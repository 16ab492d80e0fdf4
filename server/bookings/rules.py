"""Pure booking rules: the window, late cancellations, attendance, penalties, and a model of
one session's places and waitlist. No database, no clock: callers pass the time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from shared.enums import Attendance, BookingStatus, PenaltyOutcome, PrincipalKind, StaffRole

#: Statuses of a booking that still holds a place or a place in line.
ACTIVE = frozenset({BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.WAITLISTED})
#: Statuses that hold one of the session's places (counted in ``confirmed_count``).
HOLDS_PLACE = frozenset({BookingStatus.PENDING, BookingStatus.CONFIRMED})
#: Staff who may forgive a penalty: the same rule whether they cancel late for a member with
#: a reason or waive the penalty afterwards, so neither path is a way around the other.
WAIVER_ROLES = frozenset({StaffRole.OWNER, StaffRole.MANAGER, StaffRole.FRONT_DESK})
WAIVER_REFUSED = "only front desk staff, managers and owners can waive a penalty"


def may_waive(kind: PrincipalKind, role: StaffRole | None) -> bool:
    return kind is PrincipalKind.STAFF and role in WAIVER_ROLES


@dataclass(frozen=True)
class Window:
    opens_days_before: int
    closes_minutes_before: int


def window_refusal(
    window: Window, starts_at: datetime, now: datetime, *, by_staff: bool = False
) -> str | None:
    """Why booking a session starting at ``starts_at`` is refused at ``now``, or None.

    Staff may book a member before the window opens or after it closes (a desk favour,
    recorded as a staff booking); no one books a session that has started."""
    if now >= starts_at:
        return "the session has already started"
    if by_staff:
        return None
    opens = starts_at - timedelta(days=window.opens_days_before)
    if now < opens:
        return f"booking opens {window.opens_days_before} days before the session"
    closes = starts_at - timedelta(minutes=window.closes_minutes_before)
    if now >= closes:
        return f"booking closed {window.closes_minutes_before} minutes before the session"
    return None


def is_late_cancel(starts_at: datetime, now: datetime, late_cancel_minutes: int) -> bool:
    return now > starts_at - timedelta(minutes=late_cancel_minutes)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals: a class ending at 08:00 does not overlap one starting at 08:00."""
    return a_start < b_end and b_start < a_end


def attendance_of(starts_at: datetime, checked_in_at: datetime, late_after_minutes: int) -> str:
    late = checked_in_at > starts_at + timedelta(minutes=late_after_minutes)
    return Attendance.LATE.value if late else Attendance.ON_TIME.value


@dataclass(frozen=True)
class PenaltyTerms:
    fee: Decimal | None
    forfeits_credit: bool
    grace_allowance: int


def penalty_outcome(
    terms: PenaltyTerms, *, graces_used: int, credit_taken: bool
) -> PenaltyOutcome | None:
    """What a late cancellation or no-show costs; None when the policy asks nothing."""
    if graces_used < terms.grace_allowance:
        return PenaltyOutcome.GRACE
    if terms.fee is not None and terms.fee > 0:
        return PenaltyOutcome.FEE
    if terms.forfeits_credit and credit_taken:
        return PenaltyOutcome.CREDIT_FORFEITED
    return None


def credit_returned(outcome: PenaltyOutcome | None, *, late: bool) -> bool:
    """Whether a cancelled (``late`` or not) booking's class-pack credit goes back.

    A fee replaces the credit; a grace or waiver forgives; a forfeited credit stays used.
    A late cancellation the policy does not punish gives the credit back.
    """
    if not late:
        return True
    return outcome is not PenaltyOutcome.CREDIT_FORFEITED
