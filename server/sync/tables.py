"""The tables kiosks download, in the shapes of ``shared.sync.snapshot``.

A later domain registers its own tables next to its models the same way
(``tables.register(...)``); the engine needs no change.
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import object_session

from server.bookings.models import Booking
from server.checkin.models import Checkin
from server.members.models import Member
from server.passes.models import MemberPass, PassKey
from server.plans.models import AccessPlan, Membership
from server.scheduling.models import ClassSession, SessionType
from server.staff.models import StaffAccount
from server.sync.changes import SyncedTables
from server.sync.models import ReviewItem
from server.tenants.models import Location
from shared.clock import utcnow
from shared.enums import StaffRole
from shared.opening_hours import OpeningHours
from shared.sync import messages as wire
from shared.sync.snapshot import (
    SnapshotBooking,
    SnapshotCheckin,
    SnapshotClassSession,
    SnapshotLocation,
    SnapshotMember,
    SnapshotMembership,
    SnapshotPassKey,
    SnapshotPlan,
    SnapshotReviewItem,
    SnapshotRevokedPass,
    SnapshotSessionType,
    SnapshotStaff,
)

#: Sessions (and their bookings) that started longer ago than this no longer travel to
#: kiosks: the snapshot sends them from the start of yesterday (local time), pulls a little
#: further back so that none of those is missed.
SESSION_HISTORY = timedelta(days=2)


def _json(model: BaseModel, **exclude: Any) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude=set(exclude) or None)


def location_shape(row: Location) -> SnapshotLocation:
    return SnapshotLocation(
        id=row.id,
        name=row.name,
        timezone=row.timezone,
        capacity=row.capacity,
        address=row.address,
        contact_email=row.contact_email,
        contact_phone=row.contact_phone,
        opening_hours=OpeningHours.model_validate(row.opening_hours),
    )


def _location(row: Location) -> dict[str, Any] | None:
    return None if row.archived_at is not None else _json(location_shape(row))


def _staff(row: StaffAccount) -> dict[str, Any] | None:
    if not row.active:
        return None
    shape = SnapshotStaff(id=row.id, name=row.name, role=StaffRole(row.role), pin_hash=row.pin_hash)
    return _json(shape)


def _staff_at(row: StaffAccount, location_id: uuid.UUID) -> bool:
    return row.home_location_id is None or row.home_location_id == location_id


def _member(row: Member) -> dict[str, Any] | None:
    if row.archived_at is not None:
        return None
    return _json(SnapshotMember.model_validate(row, from_attributes=True))


def _membership(row: Membership) -> dict[str, Any]:
    # Visit counts are the kiosk's to make, from the check-ins it downloads.
    return _json(SnapshotMembership.model_validate(row, from_attributes=True))


def _pass_key(row: PassKey) -> dict[str, Any]:
    public = base64.b64encode(row.public_key).decode()
    return _json(SnapshotPassKey(key_id=row.key_id, public_key=public))


def _revoked(row: MemberPass) -> dict[str, Any]:
    return _json(SnapshotRevokedPass(id=row.id, member_id=row.member_id, expires_at=row.expires_at))


def checkin_shape(row: Checkin) -> SnapshotCheckin:
    return SnapshotCheckin.model_validate(row, from_attributes=True)


def review_shape(row: ReviewItem) -> SnapshotReviewItem:
    return SnapshotReviewItem.model_validate(row, from_attributes=True)


def session_type_shape(row: SessionType) -> SnapshotSessionType:
    return SnapshotSessionType.model_validate(row, from_attributes=True)


def session_shape(
    row: ClassSession, type_name: str, instructor_name: str | None
) -> SnapshotClassSession:
    return SnapshotClassSession(
        id=row.id,
        location_id=row.location_id,
        session_type_id=row.session_type_id,
        name=type_name,
        instructor_name=instructor_name,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        capacity=row.capacity,
        confirmed_count=row.confirmed_count or 0,
        waitlist_count=row.waitlist_count or 0,
        status=row.status,
        room=row.room,
    )


def booking_shape(row: Booking) -> SnapshotBooking:
    return SnapshotBooking.model_validate(row, from_attributes=True)


def _recent(starts_at: datetime | None) -> bool:
    return starts_at is not None and starts_at >= utcnow() - SESSION_HISTORY


def _session(row: ClassSession) -> dict[str, Any]:
    """The session with its type's and instructor's names, read through the row's own
    session (already loaded there in the usual case: no query)."""
    db = object_session(row)
    type_name, instructor = "", None
    if db is not None:
        with db.no_autoflush:
            kind = db.get(SessionType, (row.tenant_id, row.session_type_id))
            staff = (
                db.get(StaffAccount, (row.tenant_id, row.instructor_id))
                if row.instructor_id is not None
                else None
            )
        type_name = kind.name if kind is not None else ""
        instructor = staff.name if staff is not None else None
    return _json(session_shape(row, type_name, instructor))


class SessionLocations:
    """Where each class session is: a booking goes to its session's location. Sessions never
    change location, so the answer is kept (bounded) once read, for the process's life."""

    def __init__(self, keep: int = 50_000) -> None:
        self._keep = keep
        self._known: dict[uuid.UUID, uuid.UUID] = {}

    def of_booking(self, row: Booking) -> uuid.UUID | None:
        found = self._known.get(row.session_id)
        if found is not None:
            return found
        db = object_session(row)
        if db is None:
            return None  # unknown: every location of the tenant (kiosks skip unknown sessions)
        with db.no_autoflush:
            session = db.get(ClassSession, (row.tenant_id, row.session_id))
        if session is None:
            return None
        if len(self._known) >= self._keep:
            self._known.clear()
        self._known[row.session_id] = session.location_id
        return session.location_id


def register(tables: SyncedTables) -> None:
    tables.register(
        wire.TABLE_LOCATIONS, Location, serialise=_location, location=lambda row: row.id
    )
    tables.register(wire.TABLE_STAFF, StaffAccount, serialise=_staff, visible_at=_staff_at)
    tables.register(
        wire.TABLE_PLANS,
        AccessPlan,
        serialise=lambda row: _json(SnapshotPlan.model_validate(row, from_attributes=True)),
    )
    tables.register(wire.TABLE_MEMBERS, Member, serialise=_member)
    tables.register(wire.TABLE_MEMBERSHIPS, Membership, serialise=_membership)
    tables.register(wire.TABLE_PASS_KEYS, PassKey, serialise=_pass_key)
    tables.register(
        wire.TABLE_REVOKED_PASSES,
        MemberPass,
        serialise=_revoked,
        include=lambda row: row.revoked_at is not None,
    )
    tables.register(
        wire.TABLE_CHECKINS,
        Checkin,
        serialise=lambda row: _json(checkin_shape(row)),
        include=lambda row: bool(row.admitted),
    )
    tables.register(
        wire.TABLE_REVIEW_ITEMS,
        ReviewItem,
        serialise=lambda row: _json(review_shape(row)),
        location=lambda row: row.location_id,
    )
    tables.register(
        wire.TABLE_SESSION_TYPES,
        SessionType,
        serialise=lambda row: _json(session_type_shape(row)),
    )
    tables.register(
        wire.TABLE_CLASS_SESSIONS,
        ClassSession,
        serialise=_session,
        location=lambda row: row.location_id,
        include=lambda row: _recent(row.starts_at),
    )
    tables.register(
        wire.TABLE_BOOKINGS,
        Booking,
        serialise=lambda row: _json(booking_shape(row)),
        location=SessionLocations().of_booking,
        include=lambda row: _recent(row.starts_at),
    )
