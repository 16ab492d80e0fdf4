"""Placing one booking on its own, in the caller's open unit of work (the caller commits).

Five statements: the session with its type, location and policy; the member (row-locked)
with memberships and plans; the overlap check; one conditional UPDATE of the session's
counters (its row lock orders the session's bookings: positions follow booked-at); the
INSERT. A class-pack credit adds its conditional UPDATE.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from server.bookings.lookups import BookingMember, booking_context, member_for_booking
from server.bookings.models import Booking
from server.bookings.placement import BookingOrder, SessionContext, eligibility_request, place
from server.bookings.repository import BookingRepository, SessionCounters
from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.errors import Conflict, NotFound
from server.ports.eligibility import EligibilityDecision, EligibilityService
from server.scheduling.models import ClassSession
from server.screening.rules import ScreeningState
from server.screening.state import screening_state, today_in
from shared.enums import BookingSource


class SinglePlacement:
    """Reads as it goes; the counters move with one conditional UPDATE."""

    def __init__(
        self, uow: UnitOfWork, eligibility: EligibilityService, sealer: FieldSealer | None = None
    ) -> None:
        self._uow = uow
        self._eligibility = eligibility
        self._sealer = sealer
        self.warnings: dict[uuid.UUID, tuple[str, ...]] = {}

    def screening(self, tenant_id: uuid.UUID, member_id: uuid.UUID) -> ScreeningState:
        today = today_in(self._uow, tenant_id)
        return screening_state(self._uow, self._sealer, tenant_id, [member_id], today)[member_id]

    def session(self, order: BookingOrder) -> SessionContext:
        _write_lock(self._uow)
        found = booking_context(self._uow.db, order.tenant_id, order.session_id)
        if found is None:
            raise NotFound(f"session {order.session_id} was not found")
        return SessionContext.of(found)

    def member(self, order: BookingOrder) -> BookingMember:
        found = member_for_booking(self._uow.db, order.tenant_id, order.member_id)
        if found is None:
            raise NotFound(f"member {order.member_id} was not found")
        return found

    def clash(
        self, member: BookingMember, session: ClassSession
    ) -> tuple[uuid.UUID, uuid.UUID] | None:
        bookings = BookingRepository(self._uow.db, session.tenant_id)
        return bookings.active_clash(member.id, session.id, session.starts_at, session.ends_at)

    def decide(
        self, tenant_id: uuid.UUID, member: BookingMember, session: ClassSession
    ) -> EligibilityDecision:
        request = eligibility_request(tenant_id, member, session)
        return self._eligibility.decide(request, uow=self._uow)

    def take_place(self, context: SessionContext) -> tuple[int, bool]:
        session = context.session
        counters = SessionCounters(self._uow.db, session.tenant_id)
        placed = counters.place_or_line(session.id, looks_full=context.full)
        if placed is None:
            raise Conflict("this session was cancelled", code="session_cancelled")
        context.full = not placed[1]
        return placed

    def insert(self, bookings: BookingRepository, row: dict[str, Any]) -> Booking:
        return bookings.insert(**row)

    def line_place(
        self, context: SessionContext, bookings: BookingRepository, booking: Booking
    ) -> int:
        return bookings.waitlist_place(booking)


def _write_lock(uow: UnitOfWork) -> None:
    """On SQLite, take the database's write lock before reading (checks then writes must see
    what they write over); PostgreSQL locks rows instead."""
    connection = uow.db.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not getattr(raw, "in_transaction", True):
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def place_booking(
    *,
    uow: UnitOfWork,
    eligibility: EligibilityService,
    tenant_id: uuid.UUID,
    session_id: uuid.UUID,
    member_id: uuid.UUID,
    source: BookingSource,
    booking_id: uuid.UUID | None = None,
    booked_at: datetime | None = None,
    booked_by: uuid.UUID | None = None,
    device_id: uuid.UUID | None = None,
    skip_window: bool = False,
    sealer: FieldSealer | None = None,
) -> Booking:
    """Book a place, a place pending approval, or a place in line; a refusal writes nothing.
    Without ``sealer`` the screening gate still refuses, but cannot read risk flags to warn."""
    order = BookingOrder(
        tenant_id=tenant_id,
        session_id=session_id,
        member_id=member_id,
        source=source,
        booking_id=booking_id,
        booked_at=booked_at,
        booked_by=booked_by,
        device_id=device_id,
        skip_window=skip_window,
    )
    return place(uow, SinglePlacement(uow, eligibility, sealer), order)
