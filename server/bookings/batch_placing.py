"""Placing a batch of bookings in one transaction (the booking queue's group commit).

The transaction already holds the batch's locks (``server.bookings.queue``). Everything the
bookings need is read once up front: the sessions with their type, location and policy; the
members with their memberships and their active bookings near those sessions; eligibility
opens one batch. Each booking then goes through the placement core without reading; the
counters move in memory (exact, under the locks), and the rows and each session's counters
are written once at the end: two writes however many bookings. A booking is refused only
before it writes anything, so a batch needs no savepoints.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from server.bookings.lookups import (
    BookingMember,
    booking_context,
    member_for_booking,
    members_for_booking,
)
from server.bookings.models import Booking
from server.bookings.placement import (
    BookingOrder,
    SessionContext,
    eligibility_request,
    place,
)
from server.bookings.repository import BookingRepository, SessionCounters
from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.errors import DomainError, NotFound
from server.ports.eligibility import (
    EligibilityBatch,
    EligibilityDecision,
    EligibilityRequest,
    EligibilityService,
)
from server.scheduling.models import ClassSession
from server.screening.rules import ScreeningState
from server.screening.state import screening_state, today_in

Key = tuple[uuid.UUID, uuid.UUID]


class BatchAborted(Exception):
    """A batch's booking failed after it wrote: the whole batch must roll back (503)."""


class BatchPlacement:
    """Everything read up front; counters in memory; rows and counters written at the end."""

    def __init__(
        self, uow: UnitOfWork, eligibility: EligibilityService, sealer: FieldSealer | None = None
    ) -> None:
        self._uow = uow
        self._eligibility_service = eligibility
        self._sealer = sealer
        #: The batch's members' screening states, read for all of them at once.
        self.screenings: dict[Key, ScreeningState] = {}
        self.warnings: dict[uuid.UUID, tuple[str, ...]] = {}
        self.contexts: dict[Key, SessionContext] = {}
        self.members: dict[Key, BookingMember] = {}
        #: New bookings' rows, inserted together by :meth:`finish`.
        self.rows: list[dict[str, Any]] = []
        #: Set once the current booking moved the counters: from then on it must not be refused.
        self.wrote = False
        self._eligibility: EligibilityBatch | None = None
        #: What the eligibility batch was opened with, and the member as it was read then.
        self._requests: dict[
            tuple[uuid.UUID, uuid.UUID, uuid.UUID], tuple[BookingMember, EligibilityRequest]
        ] = {}

    def begin(self, orders: Sequence[BookingOrder]) -> None:
        """Read what ``orders`` need, once."""
        self._read(orders, for_writing=True)
        self._eligibility = self._eligibility_service.open_batch(
            [request for _, request in self._requests.values()], uow=self._uow
        )

    def ask_ahead(self, orders: Sequence[BookingOrder]) -> None:
        """Before the batch's write transaction, in a read-only one: a remote eligibility
        service is asked now about ``orders``, so that no lock waits on its answer."""
        self._read(orders, for_writing=False)
        self._eligibility_service.prefetch(
            [request for _, request in self._requests.values()], uow=self._uow
        )

    def _read(self, orders: Sequence[BookingOrder], *, for_writing: bool) -> None:
        """Sessions and members of ``orders``; for the write transaction, the members
        row-locked (PostgreSQL) and their screening states too."""
        db = self._uow.db
        for tenant_id in sorted({o.tenant_id for o in orders}):
            times = []
            for session_id in sorted({o.session_id for o in orders if o.tenant_id == tenant_id}):
                found = booking_context(db, tenant_id, session_id)
                if found is not None:
                    self.contexts[(tenant_id, session_id)] = SessionContext.of(found)
                    times.append((found[0].starts_at, found[0].ends_at))
            if not times:
                continue
            members = members_for_booking(
                db,
                tenant_id,
                [o.member_id for o in orders if o.tenant_id == tenant_id],
                min(start for start, _ in times),
                max(end for _, end in times),
                lock=for_writing,
            )
            for member_id, member in members.items():
                self.members[(tenant_id, member_id)] = member
            if not for_writing:
                continue
            states = screening_state(
                self._uow, self._sealer, tenant_id, list(members), today_in(self._uow, tenant_id)
            )
            for member_id, state in states.items():
                self.screenings[(tenant_id, member_id)] = state
        for o in orders:
            context = self.contexts.get((o.tenant_id, o.session_id))
            known = self.members.get((o.tenant_id, o.member_id))
            if context is not None and known is not None:
                request = eligibility_request(o.tenant_id, known, context.session)
                self._requests[(o.tenant_id, o.member_id, o.session_id)] = (known, request)

    def session(self, order: BookingOrder) -> SessionContext:
        key = (order.tenant_id, order.session_id)
        context = self.contexts.get(key)
        if context is None:
            found = booking_context(self._uow.db, order.tenant_id, order.session_id)
            if found is None:
                raise NotFound(f"session {order.session_id} was not found")
            context = self.contexts[key] = SessionContext.of(found)
        return context

    def member(self, order: BookingOrder) -> BookingMember:
        member = self.members.get((order.tenant_id, order.member_id))
        if member is None or member.active is None:
            member = member_for_booking(self._uow.db, order.tenant_id, order.member_id)
            if member is None:
                raise NotFound(f"member {order.member_id} was not found")
        return member

    def screening(self, tenant_id: uuid.UUID, member_id: uuid.UUID) -> ScreeningState:
        state = self.screenings.get((tenant_id, member_id))
        if state is None:
            today = today_in(self._uow, tenant_id)
            state = screening_state(self._uow, self._sealer, tenant_id, [member_id], today)[
                member_id
            ]
            self.screenings[(tenant_id, member_id)] = state
        return state

    def clash(
        self, member: BookingMember, session: ClassSession
    ) -> tuple[uuid.UUID, uuid.UUID] | None:
        if member.active is not None:
            return member.clash(session.id, session.starts_at, session.ends_at)
        bookings = BookingRepository(self._uow.db, session.tenant_id)
        return bookings.active_clash(member.id, session.id, session.starts_at, session.ends_at)

    def decide(
        self, tenant_id: uuid.UUID, member: BookingMember, session: ClassSession
    ) -> EligibilityDecision:
        assert self._eligibility is not None, "begin() opens the eligibility batch"
        prepared = self._requests.get((tenant_id, member.id, session.id))
        if prepared is not None and prepared[0] is member:
            return self._eligibility.decide(prepared[1])
        return self._eligibility.decide(eligibility_request(tenant_id, member, session))

    def take_place(self, context: SessionContext) -> tuple[int, bool]:
        """The batch holds the session's lock: its counters are exact."""
        self.wrote = True
        holds_place = context.confirmed < context.session.capacity
        position = context.next_position
        context.next_position += 1
        context.confirmed += holds_place
        context.waitlisted += not holds_place
        context.changed = True
        return position, holds_place

    def insert(self, bookings: BookingRepository, row: dict[str, Any]) -> Booking:
        return bookings.insert(deferred_to=self.rows, **row)

    def line_place(
        self, context: SessionContext, bookings: BookingRepository, booking: Booking
    ) -> int:
        # The batch's rows are not written yet, but its counters are exact: the booking
        # that just joined the line is its last.
        return context.waitlisted

    def finish(self) -> None:
        """Write what the batch's bookings did: their rows (one executemany) and each
        session's counters (one UPDATE per session)."""
        BookingRepository.insert_rows(self._uow.db, self.rows)
        self.rows = []
        for (tenant_id, session_id), context in self.contexts.items():
            if context.changed:
                SessionCounters(self._uow.db, tenant_id).set_counts(
                    session_id,
                    confirmed=context.confirmed,
                    waitlisted=context.waitlisted,
                    next_position=context.next_position,
                )
                context.changed = False


def place_batch(
    uow: UnitOfWork, placement: BatchPlacement, orders: Sequence[BookingOrder]
) -> list[Booking | DomainError]:
    """Place every order in the open transaction; one outcome each: the booking, or why it
    was refused. Raises :class:`BatchAborted` if a booking was refused after it wrote.

    Keep ``placement`` until the commit: the sessions' types and locations it holds stay in
    the unit of work's identity map, so that change capture reads none of them again."""
    placement.begin(orders)
    outcomes: list[Booking | DomainError] = []
    for order in orders:
        placement.wrote = False
        try:
            outcomes.append(place(uow, placement, order))
        except DomainError as refused:
            if placement.wrote:  # never commit half a booking
                raise BatchAborted("a booking was refused after it wrote") from refused
            outcomes.append(refused)
    placement.finish()
    return outcomes
