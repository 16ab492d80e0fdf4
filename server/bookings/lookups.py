"""What one booking decision reads, each in a single query: the session with its type,
location and the tenant's policy; the member (row-locked) with their memberships and plans."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, select
from sqlalchemy.orm import Session

from server.bookings import rules
from server.bookings.models import Booking, BookingPolicy
from server.bookings.repository import ACTIVE, default_policy
from server.members.models import Member
from server.plans.repository import membership_and_plan, with_memberships
from server.scheduling.models import ClassSession, SessionType
from server.tenants.models import Location


@cache
def _context_query() -> Select[ClassSession, SessionType, Location, BookingPolicy]:
    return (
        select(ClassSession, SessionType, Location, BookingPolicy)
        .join(
            Location,
            (Location.tenant_id == ClassSession.tenant_id)
            & (Location.id == ClassSession.location_id),
        )
        .outerjoin(
            SessionType,
            (SessionType.tenant_id == ClassSession.tenant_id)
            & (SessionType.id == ClassSession.session_type_id),
        )
        .outerjoin(BookingPolicy, BookingPolicy.tenant_id == ClassSession.tenant_id)
        .where(
            ClassSession.tenant_id == bindparam("tenant_id"),
            ClassSession.id == bindparam("session_id"),
        )
        .execution_options(populate_existing=True)
    )


def booking_context(
    db: Session, tenant_id: uuid.UUID, session_id: uuid.UUID
) -> tuple[ClassSession, SessionType | None, Location, BookingPolicy] | None:
    """The session with its type, location and the tenant's policy (or the defaults): one
    query. The rows are read afresh (the counters move with every booking)."""
    row = db.execute(
        _context_query(), {"tenant_id": tenant_id, "session_id": session_id}
    ).one_or_none()
    if row is None:
        return None
    class_session, kind, location, policy = row
    return class_session, kind, location, policy or default_policy(tenant_id)


@cache
def _member_query(many: bool, lock: bool = True) -> Select[Any]:
    members = cast(Table, Member.__table__)
    which = (
        members.c.id.in_(bindparam("member_ids", expanding=True))
        if many
        else members.c.id == bindparam("member_id")
    )
    query = with_memberships(members.c.id, members.c.home_location_id, members.c.email).where(
        members.c.tenant_id == bindparam("tenant_id"),
        which,
        members.c.archived_at.is_(None),
    )
    return query.with_for_update(of=members) if lock else query


#: An active booking as the overlap check needs it: (id, session id, starts at, ends at).
ActiveBooking = tuple[uuid.UUID, uuid.UUID, datetime, datetime]


@dataclass
class BookingMember:
    """What booking needs of a member: who, their home, whether they get email, and their
    memberships with plans (plain rows: ``terms_of`` reads them like models). ``active``:
    their active bookings near the batch's sessions, when a batch read them beforehand."""

    id: uuid.UUID
    home_location_id: uuid.UUID | None
    email: str | None
    memberships: list[tuple[Any, Any]]
    active: list[ActiveBooking] | None = None

    def clash(
        self, session_id: uuid.UUID, starts_at: datetime, ends_at: datetime
    ) -> tuple[uuid.UUID, uuid.UUID] | None:
        """Like :meth:`BookingRepository.active_clash`, from ``active``."""
        assert self.active is not None
        found = [a for a in self.active if rules.overlaps(a[2], a[3], starts_at, ends_at)]
        found.sort(key=lambda a: a[1] != session_id)
        return (found[0][0], found[0][1]) if found else None


def _members_of(rows: Sequence[Any]) -> dict[uuid.UUID, BookingMember]:
    found: dict[uuid.UUID, BookingMember] = {}
    for row in rows:
        member = found.get(row["id"])
        if member is None:
            member = found[row["id"]] = BookingMember(
                row["id"], row["home_location_id"], row["email"], []
            )
        held = membership_and_plan(row)
        if held is not None:
            member.memberships.append(held)
    return found


def member_for_booking(
    db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID
) -> BookingMember | None:
    """The member, row-locked on PostgreSQL (one member's bookings are placed one at a time,
    so two overlapping bookings never both pass the overlap check), with their memberships
    and plans, read afresh: one Core query, no ORM objects."""
    rows = (
        db.connection()
        .execute(_member_query(False), {"tenant_id": tenant_id, "member_id": member_id})
        .mappings()
        .all()
    )
    return _members_of(rows).get(member_id)


def members_for_booking(
    db: Session,
    tenant_id: uuid.UUID,
    member_ids: Sequence[uuid.UUID],
    starts_from: datetime,
    ends_by: datetime,
    *,
    lock: bool = True,
) -> dict[uuid.UUID, BookingMember]:
    """Many members as :func:`member_for_booking` (locked too, unless ``lock`` is False),
    with their active bookings overlapping ``[starts_from, ends_by)``: two queries however
    many members."""
    ids = sorted(set(member_ids))
    rows = (
        db.connection()
        .execute(_member_query(True, lock), {"tenant_id": tenant_id, "member_ids": ids})
        .mappings()
        .all()
    )
    found = _members_of(rows)
    for member in found.values():
        member.active = []
    active = db.connection().execute(
        select(
            Booking.member_id, Booking.id, Booking.session_id, Booking.starts_at, Booking.ends_at
        ).where(
            Booking.tenant_id == tenant_id,
            Booking.member_id.in_(ids),
            Booking.status.in_(ACTIVE),
            Booking.starts_at < ends_by,
            Booking.ends_at > starts_from,
        )
    )
    for member_id, *booking in active:
        if member_id in found:
            found[member_id].active.append(tuple(booking))  # type: ignore[union-attr,arg-type]
    return found
