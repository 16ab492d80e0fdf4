"""The staff desk: what staff behind the PIN look up at the kiosk — a member's profile,
memberships, visits and bookings from the cache; the actions waiting to sync; this
location's review items (resolved through the server); a full class's waitlist."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from desktop.core.checkin.model import CheckinError
from desktop.core.checkin.outbox import BOOKING_CREATE, OutboxWriter
from desktop.core.location import describe_age
from desktop.core.store import (
    MemberRepository,
    OutboxRepository,
    RejectedRepository,
    Store,
)
from desktop.core.store.codec import opt_str
from desktop.core.store.desk_rows import CachedReviewItem, DeskRows, MemberBooking, Visit
from desktop.core.store.records import CachedMembership, MemberRecord, RosterEntry
from desktop.core.store.sessions import SessionRows
from desktop.core.sync.connection import ServerConnection
from shared.clock import utcnow
from shared.enums import BookingStatus
from shared.ids import new_id

#: How many visits the profile lists, newest first.
RECENT_VISITS = 10

#: Staff-facing names of the actions a kiosk queues.
ACTION_NAMES = {
    "checkin.create.v1": "Check-in",
    "checkin.checkout.v1": "Check-out",
    "member.create.v1": "New member",
    "membership.sell.v1": "Sale",
    "booking.create.v1": "Class booking",
    "booking.attend.v1": "Class check-in",
}


@dataclass(frozen=True)
class MemberProfile:
    member: MemberRecord
    memberships: list[CachedMembership]
    visits: list[Visit]
    bookings: list[MemberBooking]
    #: Staff alerts and notes ("waiver missing", "balance due"): filled in once members
    #: carry alerts; the desk shows them above everything else.
    alerts: list[str]


@dataclass(frozen=True)
class PendingAction:
    mutation_id: int
    what: str
    #: "waiting to send", or "refused: <why>" for what the server turned down for good.
    state: str
    created_at: datetime
    age: str


class DeskService:
    def __init__(
        self,
        store: Store,
        connection: ServerConnection,
        outbox: OutboxWriter,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._connection = connection
        self._outbox = outbox
        self._now = now

    def profile(self, member_id: uuid.UUID) -> MemberProfile:
        conn = self._store.connection()
        members = MemberRepository(conn)
        member = members.get(member_id)
        if member is None:
            raise CheckinError("This member is not in this kiosk's data; sync and try again")
        rows = DeskRows(conn)
        return MemberProfile(
            member=member,
            memberships=members.memberships([member_id]),
            visits=rows.visits(member_id, RECENT_VISITS),
            bookings=rows.bookings(member_id, self._now()),
            alerts=member_alerts(member),
        )

    def pending_actions(self) -> list[PendingAction]:
        """Every action not yet acknowledged by the server, oldest first, then the refused."""
        conn = self._store.connection()
        now = self._now()
        waiting = [
            PendingAction(
                e.mutation_id,
                ACTION_NAMES.get(e.name, e.name),
                "waiting to send",
                e.created_at,
                describe_age(e.created_at, now),
            )
            for e in OutboxRepository(conn).pending(limit=500)
        ]
        refused = [
            PendingAction(
                r.mutation_id,
                ACTION_NAMES.get(r.name, r.name),
                f"refused: {r.reason}",
                r.device_time,
                describe_age(r.device_time, now),
            )
            for r in RejectedRepository(conn).latest()
        ]
        return waiting + refused

    def review_items(self) -> list[CachedReviewItem]:
        return DeskRows(self._store.connection()).open_review_items()

    def resolve_review_item(self, item_id: uuid.UUID, note: str, staff_id: uuid.UUID) -> None:
        """Resolve one of this location's review items on the server (needs the server:
        another desk or the office may be resolving it too)."""
        note = note.strip()
        if not note:
            raise CheckinError("Say what was done about it")
        self._connection.client().resolve_review_item(str(item_id), note, str(staff_id))
        with self._store.transaction() as conn:
            DeskRows(conn).mark_review_resolved(item_id, note)

    # -- waitlists ---------------------------------------------------------------------------

    def waitlist(self, session_id: uuid.UUID) -> list[RosterEntry]:
        """Who waits for a place in this session, first in line first."""
        rows = SessionRows(self._store.connection()).roster(session_id)
        waiting = [e for e in rows if e.status is BookingStatus.WAITLISTED]
        # Those put in line here and not yet answered come after everyone the server placed.
        return sorted(waiting, key=lambda e: (e.waitlist_place is None, e.position))

    def join_waitlist(
        self, session_id: uuid.UUID, member_id: uuid.UUID, staff_id: uuid.UUID | None
    ) -> str:
        """Put a member on a full class's waitlist. The server gives the place in line (it
        waitlists a booking that arrives for a full class in arrival order); until it
        answers the roster shows them as waitlisted (pending), never holding a place."""
        conn = self._store.connection()
        rows = SessionRows(conn)
        session = rows.session(session_id)
        if session is None:
            raise CheckinError("This class is not in this kiosk's data; sync and try again")
        if session.cancelled or session.ends_at <= self._now():
            raise CheckinError(f"{session.name} is no longer open for booking")
        if session.free > 0:
            raise CheckinError(f"{session.name} has free places: book from the Classes screen")
        member = MemberRepository(conn).get(member_id)
        if member is None:
            raise CheckinError("Choose who to put on the waitlist")
        if rows.booking_of(session_id, member_id) is not None:
            raise CheckinError(f"{member.display_name} is already on {session.name}")
        at = self._now()
        booking_id = new_id()
        args = {
            "id": str(booking_id),
            "session_id": str(session_id),
            "member_id": str(member_id),
            "booked_at": at.isoformat(),
            "staff_id": opt_str(staff_id),
        }
        with self._store.transaction() as tx:
            mutation_id = self._outbox.append(tx, BOOKING_CREATE, args, at)
            SessionRows(tx).add_booking(
                booking_id=booking_id,
                session_id=session_id,
                member_id=member_id,
                booked_at=at,
                staff_id=staff_id,
                mutation_id=mutation_id,
                status=BookingStatus.WAITLISTED,
            )
        return (
            f"{member.display_name} joins the waitlist for {session.name}: pending until "
            "the server gives the place in line"
        )


def member_alerts(member: MemberRecord) -> list[str]:
    """MEMBER ALERTS: the staff alerts and notes for ``member`` (none until members carry
    them in the cache); shown on the desk side only, never on the member-facing screen."""
    return list(getattr(member, "alerts", None) or [])
