"""What cancelling a booking now would cost, read before the member confirms it: the same
rules as :func:`server.bookings.booking_service.cancel`, nothing written."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from server.bookings import rules
from server.bookings.penalties import fee_currency
from server.bookings.repository import BookingRepository, PenaltyRepository, policy_of
from server.db.uow import UnitOfWork
from server.errors import Conflict, NotFound
from server.ports.identity import AccessClaims
from shared.clock import utcnow
from shared.enums import BookingStatus, PenaltyOutcome, PrincipalKind


@dataclass(frozen=True)
class CancelPreview:
    booking_id: uuid.UUID
    starts_at: datetime
    #: True inside the policy's late-cancel window (a confirmed place only).
    late: bool
    late_cancel_minutes: int
    #: What the policy would apply now: None (nothing), grace, fee or a forfeited credit.
    outcome: PenaltyOutcome | None
    fee: Decimal | None
    currency: str | None


def preview(*, uow: UnitOfWork, claims: AccessClaims, booking_id: uuid.UUID) -> CancelPreview:
    """Refuses (as cancelling would) a booking that is not the member's or no longer active."""
    with uow:
        booking = BookingRepository(uow.db, claims.tenant_id).get_or_404(booking_id)
        if claims.kind is PrincipalKind.MEMBER and booking.member_id != claims.subject_id:
            raise NotFound(f"booking {booking_id} was not found")
        if booking.status not in rules.ACTIVE:
            raise Conflict(f"this booking is already {booking.status}", code="booking_inactive")
        now = utcnow()
        if now >= booking.ends_at:
            raise Conflict("this session is over; it can no longer be cancelled")
        policy = policy_of(uow.db, claims.tenant_id)
        late = booking.status == BookingStatus.CONFIRMED and rules.is_late_cancel(
            booking.starts_at, now, policy.late_cancel_minutes
        )
        outcome = None
        if late:
            since = now - timedelta(days=policy.grace_period_days)
            outcome = rules.penalty_outcome(
                rules.PenaltyTerms(
                    policy.late_cancel_fee,
                    policy.late_cancel_forfeits_credit,
                    policy.grace_allowance,
                ),
                graces_used=PenaltyRepository(uow.db, claims.tenant_id).graces_since(
                    booking.member_id, since
                ),
                credit_taken=booking.credit_taken,
            )
        fee = outcome is PenaltyOutcome.FEE
        return CancelPreview(
            booking_id=booking.id,
            starts_at=booking.starts_at,
            late=late,
            late_cancel_minutes=policy.late_cancel_minutes,
            outcome=outcome,
            fee=policy.late_cancel_fee if fee else None,
            currency=fee_currency(uow, booking) if fee else None,
        )
