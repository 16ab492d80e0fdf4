"""Queries and conditional updates of bookings, the places of a session, policies, penalties.

Every change to a session's bookings first writes the session's row (a conditional UPDATE),
so that on PostgreSQL the row lock orders all of one session's booking changes, and on
SQLite the write lock is taken before anything is read.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Insert,
    Select,
    Update,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session, make_transient_to_detached

from server.bookings.models import Booking, BookingPolicy, Penalty
from server.db.actor import observe_bulk
from server.db.repository import TenantRepository
from server.errors import NotFound
from server.plans.models import Membership
from server.scheduling.models import ClassSession
from server.sync import changes as sync_changes
from server.tenants.models import Location
from shared.enums import BookingStatus, PenaltyOutcome, SessionStatus

ACTIVE = [BookingStatus.PENDING.value, BookingStatus.CONFIRMED.value, BookingStatus.WAITLISTED]
_HOLDING = [BookingStatus.PENDING.value, BookingStatus.CONFIRMED.value]


@cache
def _clash_query() -> Select[uuid.UUID, uuid.UUID]:
    return (
        select(Booking.id, Booking.session_id)
        .where(
            Booking.tenant_id == bindparam("tenant_id"),
            Booking.member_id == bindparam("member_id"),
            Booking.status.in_(ACTIVE),
            Booking.starts_at < bindparam("ends_at", type_=Booking.starts_at.type),
            Booking.ends_at > bindparam("starts_at", type_=Booking.ends_at.type),
        )
        .order_by((Booking.session_id == bindparam("session_id")).desc())
        .limit(1)
    )


#: Every column a new booking leaves empty: all are set, so nothing is loaded lazily later.
_NEW_BOOKING: dict[str, Any] = {
    "booked_by": None,
    "device_id": None,
    "promoted_at": None,
    "held_back_told_at": None,
    "membership_id": None,
    "credit_taken": False,
    "cancelled_at": None,
    "cancel_kind": None,
    "attendance": None,
    "checked_in_at": None,
    "checkin_id": None,
}


@cache
def _booking_insert() -> Insert:
    return insert(Booking.__table__)  # type: ignore[arg-type]


class BookingRepository(TenantRepository[Booking]):
    model = Booking
    noun = "booking"

    def active_clash(
        self, member_id: uuid.UUID, session_id: uuid.UUID, starts_at: datetime, ends_at: datetime
    ) -> tuple[uuid.UUID, uuid.UUID] | None:
        """(id, session id) of the member's active booking of this session, or else of one
        overlapping it in time."""
        row = (
            self.db.connection()
            .execute(
                _clash_query(),
                {
                    "tenant_id": self.tenant_id,
                    "member_id": member_id,
                    "session_id": session_id,
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                },
            )
            .first()
        )
        return None if row is None else (row[0], row[1])

    def insert(self, *, deferred_to: list[dict[str, Any]] | None = None, **values: Any) -> Booking:
        """A new booking, written with one Core ``INSERT`` (no ORM flush), or kept in
        ``deferred_to`` for :meth:`insert_rows`, and placed in ``db`` as a persistent
        object; its change goes to the kiosks like any other."""
        row = {**_NEW_BOOKING, **values, "tenant_id": self.tenant_id}
        if deferred_to is None:
            self.db.connection().execute(_booking_insert(), row)
        else:
            deferred_to.append(row)
        booking = Booking(**row)
        make_transient_to_detached(booking)
        self.db.add(booking)
        sync_changes.record_change(self.db, booking)
        return booking

    @staticmethod
    def insert_rows(db: Session, rows: list[dict[str, Any]]) -> None:
        if rows:
            observe_bulk(db, "bookings", rows)  # the audit log's one entry for the batch
            db.connection().execute(_booking_insert(), rows)

    def first_waitlisted(
        self, session_id: uuid.UUID, *, passing: Collection[uuid.UUID] = ()
    ) -> Booking | None:
        """The first in line, passing over the bookings ``passing`` names."""
        query = self._select().where(
            Booking.session_id == session_id, Booking.status == BookingStatus.WAITLISTED
        )
        if passing:
            query = query.where(Booking.id.not_in(list(passing)))
        row: Booking | None = self.db.execute(
            query.order_by(Booking.position).limit(1).execution_options(populate_existing=True)
        ).scalar_one_or_none()
        return row

    def waitlist_place(self, booking: Booking) -> int:
        """The booking's place in its session's line, counted from 1 (its ``position``
        numbers every booking of the session, the ones holding places too)."""
        ahead = self.db.execute(
            select(func.count())
            .select_from(Booking)
            .where(
                Booking.tenant_id == self.tenant_id,
                Booking.session_id == booking.session_id,
                Booking.status == BookingStatus.WAITLISTED.value,
                Booking.position < booking.position,
            )
        ).scalar_one()
        return int(ahead) + 1

    def of_session(self, session_id: uuid.UUID, *, statuses: Sequence[str] = ()) -> list[Booking]:
        query = self._select().where(Booking.session_id == session_id)
        if statuses:
            query = query.where(Booking.status.in_(list(statuses)))
        query = query.order_by(Booking.position).execution_options(populate_existing=True)
        return list(self.db.execute(query).scalars())

    def change_status(self, booking: Booking, new: BookingStatus, **values: Any) -> bool:
        """Move ``booking`` on from the status it was read with; False if it moved meanwhile."""
        result = self.db.execute(
            update(Booking)
            .where(
                Booking.tenant_id == self.tenant_id,
                Booking.id == booking.id,
                Booking.status == booking.status,
            )
            .values(status=new.value, **values)
            .execution_options(synchronize_session=False)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        booking.status = new.value
        for key, value in values.items():
            setattr(booking, key, value)
        sync_changes.touch(self.db, Booking, self.tenant_id, booking.id)
        return True


@cache
def _place_update(kind: str) -> Update:
    """``UPDATE class_sessions … RETURNING next_position``, built once per process (the
    statements are the same for every booking; only their parameters change)."""
    where = update(ClassSession).where(
        ClassSession.tenant_id == bindparam("b_tenant_id"),
        ClassSession.id == bindparam("b_session_id"),
        ClassSession.status == SessionStatus.SCHEDULED.value,
    )
    if kind == "take":
        where = where.where(ClassSession.confirmed_count < ClassSession.capacity).values(
            confirmed_count=ClassSession.confirmed_count + 1
        )
    else:
        if kind == "wait_if_full":
            where = where.where(ClassSession.confirmed_count >= ClassSession.capacity)
        where = where.values(waitlist_count=ClassSession.waitlist_count + 1)
    return (
        where.values(next_position=ClassSession.next_position + 1)
        .returning(ClassSession.next_position)
        .execution_options(synchronize_session=False)
    )


@cache
def _set_counts() -> Update:
    return (
        update(ClassSession)
        .where(
            ClassSession.tenant_id == bindparam("b_tenant_id"),
            ClassSession.id == bindparam("b_session_id"),
        )
        .values(
            confirmed_count=bindparam("b_confirmed"),
            waitlist_count=bindparam("b_waitlisted"),
            next_position=bindparam("b_next"),
        )
        .execution_options(synchronize_session=False)
    )


class SessionCounters:
    """A class session's places: its confirmed and waitlist counters and next position, moved
    only by conditional updates, never read-then-write."""

    def __init__(self, db: Session, tenant_id: uuid.UUID) -> None:
        self.db = db
        self.tenant_id = tenant_id

    def _where(self, session_id: uuid.UUID) -> Any:
        return update(ClassSession).where(
            ClassSession.tenant_id == self.tenant_id, ClassSession.id == session_id
        )

    def _touched(self, session_id: uuid.UUID) -> None:
        sync_changes.touch(self.db, ClassSession, self.tenant_id, session_id)

    def _position(self, kind: str, session_id: uuid.UUID) -> int | None:
        position = (
            self.db.connection()
            .execute(
                _place_update(kind), {"b_tenant_id": self.tenant_id, "b_session_id": session_id}
            )
            .scalar_one_or_none()
        )
        if position is None:
            return None
        self._touched(session_id)
        return int(position) - 1

    def take_place(self, session_id: uuid.UUID) -> int | None:
        """A place and its position, or None when the session is full or not scheduled."""
        return self._position("take", session_id)

    def join_waitlist(self, session_id: uuid.UUID) -> int | None:
        """A position in line, or None when the session is not scheduled."""
        return self._position("wait", session_id)

    def place_or_line(self, session_id: uuid.UUID, *, looks_full: bool) -> tuple[int, bool] | None:
        """(position, holds a place): a place if one is free, else a place in line; None
        when the session is not scheduled. One statement in the usual case: when the session
        looked full, joining the line (only while it is full) is tried first."""
        if looks_full:
            position = self._position("wait_if_full", session_id)
            if position is not None:
                return position, False
        position = self.take_place(session_id)
        if position is not None:
            return position, True
        position = self.join_waitlist(session_id)
        return None if position is None else (position, False)

    def set_counts(
        self, session_id: uuid.UUID, *, confirmed: int, waitlisted: int, next_position: int
    ) -> None:
        """Write counters computed under the session row's lock (a booking batch)."""
        self.db.connection().execute(
            _set_counts(),
            {
                "b_tenant_id": self.tenant_id,
                "b_session_id": session_id,
                "b_confirmed": confirmed,
                "b_waitlisted": waitlisted,
                "b_next": next_position,
            },
        )
        self._touched(session_id)

    def adjust(self, session_id: uuid.UUID, *, confirmed: int = 0, waitlisted: int = 0) -> None:
        """Counters follow a booking that left (negative) or moved; locks the session row."""
        self.db.execute(
            self._where(session_id)
            .values(
                confirmed_count=ClassSession.confirmed_count + confirmed,
                waitlist_count=ClassSession.waitlist_count + waitlisted,
            )
            .execution_options(synchronize_session=False)
        )
        self._touched(session_id)

    def promote_one(self, session_id: uuid.UUID) -> bool:
        """Move one booking from the line into a free place; False when there is none."""
        result = self.db.execute(
            self._where(session_id)
            .where(
                ClassSession.status == SessionStatus.SCHEDULED.value,
                ClassSession.confirmed_count < ClassSession.capacity,
                ClassSession.waitlist_count > 0,
            )
            .values(
                confirmed_count=ClassSession.confirmed_count + 1,
                waitlist_count=ClassSession.waitlist_count - 1,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def read(self, session_id: uuid.UUID) -> ClassSession | None:
        """The session with its counters, read afresh."""
        row: ClassSession | None = self.db.execute(
            select(ClassSession)
            .where(ClassSession.tenant_id == self.tenant_id, ClassSession.id == session_id)
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        return row

    def read_or_404(self, session_id: uuid.UUID) -> ClassSession:
        row = self.read(session_id)
        if row is None:
            raise NotFound(f"session {session_id} was not found")
        return row


def give_credit_back(db: Session, tenant_id: uuid.UUID, membership_id: uuid.UUID) -> None:
    db.execute(
        update(Membership)
        .where(Membership.tenant_id == tenant_id, Membership.id == membership_id)
        .values(credits_remaining=Membership.credits_remaining + 1)
        .execution_options(synchronize_session=False)
    )
    sync_changes.touch(db, Membership, tenant_id, membership_id)


class PenaltyRepository(TenantRepository[Penalty]):
    model = Penalty
    noun = "penalty"

    def graces_since(self, member_id: uuid.UUID, since: datetime) -> int:
        count = self.db.execute(
            select(func.count())
            .select_from(Penalty)
            .where(
                Penalty.tenant_id == self.tenant_id,
                Penalty.member_id == member_id,
                Penalty.outcome == PenaltyOutcome.GRACE.value,
                Penalty.created_at >= since,
            )
        ).scalar_one()
        return int(count)

    def of_member(self, member_id: uuid.UUID, *, limit: int, offset: int) -> list[Penalty]:
        query: Select[Any] = (
            self._select()
            .where(Penalty.member_id == member_id)
            .order_by(Penalty.created_at.desc(), Penalty.id)
            .limit(limit)
            .offset(offset)
        )
        return list(self.db.execute(query).scalars())


def policy_of(db: Session, tenant_id: uuid.UUID) -> BookingPolicy:
    """The tenant's saved policy, or the defaults (not added to ``db``)."""
    row = db.get(BookingPolicy, tenant_id)
    if row is not None:
        return row
    return default_policy(tenant_id)


def default_policy(tenant_id: uuid.UUID) -> BookingPolicy:
    return BookingPolicy(
        tenant_id=tenant_id,
        opens_days_before=14,
        closes_minutes_before=0,
        late_cancel_minutes=120,
        late_cancel_fee=None,
        late_cancel_forfeits_credit=True,
        no_show_fee=None,
        no_show_forfeits_credit=True,
        currency="EUR",
        grace_allowance=1,
        grace_period_days=30,
        late_after_minutes=10,
    )


def session_zones(
    db: Session, tenant_id: uuid.UUID, session_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The zone of each class session's location, in one query."""
    if not session_ids:
        return {}
    rows = db.execute(
        select(ClassSession.id, Location.timezone)
        .join(
            Location,
            (Location.tenant_id == ClassSession.tenant_id)
            & (Location.id == ClassSession.location_id),
        )
        .where(ClassSession.tenant_id == tenant_id, ClassSession.id.in_(set(session_ids)))
    ).all()
    return {session_id: zone for session_id, zone in rows}
