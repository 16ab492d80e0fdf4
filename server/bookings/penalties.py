"""What late cancellations and no-shows cost under the tenant's policy, and staff waivers.

A fee is recorded first and charged after the commit, through the payments port with the
penalty's id as idempotency key; a background job charges any fee a crash left unpaid.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import select, update

from server.bookings import rules
from server.bookings.models import Booking, BookingPolicy, Penalty
from server.bookings.repository import PenaltyRepository
from server.db.uow import UnitOfWork
from server.plans.models import AccessPlan, Membership
from server.ports.payments import PaymentRequest, PaymentService
from server.scheduling.models import ClassSession
from server.tenants.models import Location, Tenant
from shared.clock import utcnow
from shared.enums import PenaltyKind, PenaltyOutcome
from shared.ids import new_id

log = logging.getLogger("zmos.bookings")

#: Fees are charged as a charge on the member's account at the desk's terminal.
FEE_METHOD = "card_terminal"


#: Why the system waives a no-show it charged: the member's attendance came in afterwards.
LATE_ATTENDANCE_REASON = "attendance recorded late: the member was there after all"


def impose(
    uow: UnitOfWork,
    policy: BookingPolicy,
    booking: Booking,
    kind: PenaltyKind,
    *,
    waived_by: uuid.UUID | None = None,
    waived_reason: str | None = None,
) -> Penalty | None:
    """Record the penalty the policy asks for (or its waiver); None when it asks nothing."""
    now = utcnow()
    if kind is PenaltyKind.LATE_CANCEL:
        terms = rules.PenaltyTerms(
            policy.late_cancel_fee, policy.late_cancel_forfeits_credit, policy.grace_allowance
        )
    else:
        terms = rules.PenaltyTerms(
            policy.no_show_fee, policy.no_show_forfeits_credit, policy.grace_allowance
        )
    repo = PenaltyRepository(uow.db, booking.tenant_id)
    if waived_reason:
        outcome: PenaltyOutcome | None = PenaltyOutcome.WAIVED
    else:
        since = now - timedelta(days=policy.grace_period_days)
        outcome = rules.penalty_outcome(
            terms,
            graces_used=repo.graces_since(booking.member_id, since),
            credit_taken=booking.credit_taken,
        )
    if outcome is None:
        return None
    fee = outcome is PenaltyOutcome.FEE
    return repo.add(
        Penalty(
            id=new_id(),
            booking_id=booking.id,
            member_id=booking.member_id,
            kind=kind.value,
            outcome=outcome.value,
            amount=terms.fee if fee else None,
            currency=fee_currency(uow, booking) if fee else None,
            created_at=now,
            waived_by=waived_by,
            waived_reason=waived_reason,
            waived_at=now if waived_reason else None,
        )
    )


def fee_currency(uow: UnitOfWork, booking: Booking) -> str:
    """The currency a booking's fee is charged in: that of the plan the booking used (a
    class pack), else of the session's location, else the tenant's. One fee is never in a
    currency the member was not charged in there."""
    tenant_id = booking.tenant_id
    if booking.membership_id is not None:
        plan_currency = uow.db.execute(
            select(AccessPlan.currency)
            .join(
                Membership,
                (Membership.tenant_id == AccessPlan.tenant_id)
                & (Membership.plan_id == AccessPlan.id),
            )
            .where(Membership.tenant_id == tenant_id, Membership.id == booking.membership_id)
        ).scalar_one_or_none()
        if plan_currency is not None:
            return plan_currency
    location_currency = uow.db.execute(
        select(Location.currency)
        .join(
            ClassSession,
            (ClassSession.tenant_id == Location.tenant_id)
            & (ClassSession.location_id == Location.id),
        )
        .where(ClassSession.tenant_id == tenant_id, ClassSession.id == booking.session_id)
    ).scalar_one_or_none()
    if location_currency is not None:
        return location_currency
    tenant_currency: str = uow.db.execute(
        select(Tenant.currency).where(Tenant.id == tenant_id)
    ).scalar_one()
    return tenant_currency


def forgive_no_show(uow: UnitOfWork, booking: Booking) -> None:
    """The member was there after all (a check-in that arrived late through sync)."""
    uow.db.execute(
        update(Penalty)
        .where(
            Penalty.tenant_id == booking.tenant_id,
            Penalty.booking_id == booking.id,
            Penalty.kind == PenaltyKind.NO_SHOW.value,
            Penalty.waived_at.is_(None),
        )
        .values(
            outcome=PenaltyOutcome.WAIVED.value,
            waived_at=utcnow(),
            waived_reason=LATE_ATTENDANCE_REASON,
        )
        .execution_options(synchronize_session=False)
    )


def charge(payments: PaymentService, penalty: Penalty) -> uuid.UUID | None:
    if penalty.amount is None or penalty.currency is None:
        return None
    result = payments.charge(
        PaymentRequest(
            tenant_id=penalty.tenant_id,
            idempotency_key=penalty.id,
            amount=penalty.amount,
            currency=penalty.currency,
            method=FEE_METHOD,
            description=f"{penalty.kind.replace('_', ' ')} fee",
        )
    )
    if not result.succeeded:
        log.warning("penalty %s not charged: %s", penalty.id, result.reason)
        return None
    return result.payment_id


def charge_unpaid(
    uow: UnitOfWork, payments: PaymentService, ids: list[uuid.UUID] | None = None
) -> int:
    """Charge fees not charged yet (all, or those of ``ids``); returns how many were paid."""
    paid = 0
    with uow:
        query = select(Penalty).where(
            Penalty.outcome == PenaltyOutcome.FEE.value, Penalty.payment_id.is_(None)
        )
        if ids is not None:
            query = query.where(Penalty.id.in_(ids))
        for penalty in list(uow.db.execute(query.limit(100)).scalars()):
            payment_id = charge(payments, penalty)
            if payment_id is None:
                continue
            uow.db.execute(
                update(Penalty)
                .where(
                    Penalty.tenant_id == penalty.tenant_id,
                    Penalty.id == penalty.id,
                    Penalty.payment_id.is_(None),
                )
                .values(payment_id=payment_id)
                .execution_options(synchronize_session=False)
            )
            uow.commit()
            paid += 1
    return paid
