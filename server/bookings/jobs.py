"""Background work of bookings: closing ended sessions (no-shows) and charging fees.

A session is closed by whichever process first sets ``closed_at`` with a conditional
UPDATE; only that process marks its no-shows, so nobody is penalised twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update

from server.bookings import penalties
from server.bookings.models import Booking
from server.bookings.repository import BookingRepository, give_credit_back, policy_of
from server.db.uow import UnitOfWork
from server.ports.payments import PaymentService
from server.scheduling.models import ClassSession
from server.sync import changes as sync_changes
from shared.clock import utcnow
from shared.enums import Attendance, BookingStatus, PenaltyKind, PenaltyOutcome

BATCH = 100
#: A no-show whose penalty is one of these keeps the class credit spent.
_CREDIT_KEPT = {None, PenaltyOutcome.CREDIT_FORFEITED.value}


def _ended(uow: UnitOfWork, now: datetime) -> list[tuple[uuid.UUID, uuid.UUID]]:
    with uow:
        rows = uow.db.execute(
            select(ClassSession.tenant_id, ClassSession.id)
            .where(ClassSession.closed_at.is_(None), ClassSession.ends_at <= now)
            .order_by(ClassSession.ends_at)
            .limit(BATCH)
        ).all()
    return [(t, i) for t, i in rows]


def close_session(uow: UnitOfWork, tenant_id: uuid.UUID, session_id: uuid.UUID) -> list[uuid.UUID]:
    """Close one ended session if nobody has; returns the ids of fees to charge."""
    now = utcnow()
    fees: list[uuid.UUID] = []
    with uow:
        claimed = uow.db.execute(
            update(ClassSession)
            .where(
                ClassSession.tenant_id == tenant_id,
                ClassSession.id == session_id,
                ClassSession.closed_at.is_(None),
            )
            .values(closed_at=now)
            .execution_options(synchronize_session=False)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return []
        policy = policy_of(uow.db, tenant_id)
        bookings = BookingRepository(uow.db, tenant_id)
        active = [BookingStatus.CONFIRMED, BookingStatus.PENDING, BookingStatus.WAITLISTED]
        for booking in bookings.of_session(session_id, statuses=[s.value for s in active]):
            returned = False
            if booking.status == BookingStatus.CONFIRMED and booking.attendance is None:
                penalty = penalties.impose(uow, policy, booking, PenaltyKind.NO_SHOW)
                outcome = penalty.outcome if penalty else None
                if penalty is not None and outcome == PenaltyOutcome.FEE.value:
                    fees.append(penalty.id)
                returned = booking.credit_taken and outcome not in _CREDIT_KEPT
                _set(
                    uow,
                    booking,
                    attendance=Attendance.NO_SHOW.value,
                    credit_taken=not returned and booking.credit_taken,
                )
            elif booking.status != BookingStatus.CONFIRMED and booking.credit_taken:
                # Never got a place (or never approved): the credit was not used.
                returned = True
                _set(uow, booking, credit_taken=False)
            if returned and booking.membership_id is not None:
                give_credit_back(uow.db, tenant_id, booking.membership_id)
        uow.commit()
    return fees


def _set(uow: UnitOfWork, booking: Booking, **values: object) -> None:
    uow.db.execute(
        update(Booking)
        .where(Booking.tenant_id == booking.tenant_id, Booking.id == booking.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    for key, value in values.items():
        setattr(booking, key, value)
    sync_changes.touch(uow.db, Booking, booking.tenant_id, booking.id)


def close_ended_sessions(
    *,
    make_uow: Callable[[], UnitOfWork],
    payments: PaymentService,
    now: datetime | None = None,
) -> int:
    """Close every ended session not closed yet; returns how many this process closed."""
    closed = 0
    fees: list[uuid.UUID] = []
    for tenant_id, session_id in _ended(make_uow(), now or utcnow()):
        found = close_session(make_uow(), tenant_id, session_id)
        fees.extend(found)
        closed += 1
    if fees:
        penalties.charge_unpaid(make_uow(), payments, fees)
    return closed


def charge_unpaid_fees(*, make_uow: Callable[[], UnitOfWork], payments: PaymentService) -> int:
    """Charge every fee a crash left unpaid; returns how many were paid."""
    return penalties.charge_unpaid(make_uow(), payments)
