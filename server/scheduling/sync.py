"""What kiosks hold of the timetable: session types, and their location's class sessions
from yesterday on (local time)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import object_session

from server.scheduling.models import ClassSession, SessionType
from server.staff.models import StaffAccount
from server.sync.registry import SnapshotScope, SyncRegistry
from shared.clock import utcnow
from shared.enums import SessionStatus
from shared.sync import messages as wire
from shared.sync.snapshot import SnapshotClassSession, SnapshotSessionType

#: Sessions (and their bookings) that started longer ago than this no longer travel to
#: kiosks: the snapshot sends them from the start of yesterday (local time), pulls a little
#: further back so that none of those is missed.
SESSION_HISTORY = timedelta(days=2)


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
        status=SessionStatus(row.status),
        room=row.room,
    )


def recent(starts_at: datetime | None) -> bool:
    """Whether a session (or a booking of it) still travels to kiosks."""
    return starts_at is not None and starts_at >= utcnow() - SESSION_HISTORY


def _session(row: ClassSession) -> dict[str, Any]:
    """The session with its type's and instructor's names, read through the row's own
    ``db`` (already loaded there in the usual case: no query)."""
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
    return session_shape(row, type_name, instructor).model_dump(mode="json")


def bookable_at(scope: SnapshotScope) -> tuple[ColumnElement[bool], ...]:
    """The sessions a kiosk's snapshot holds: its location's, from yesterday on (local)."""
    yesterday = scope.now.astimezone(scope.tz).date() - timedelta(days=1)
    since = datetime.combine(yesterday, time(), scope.tz)
    return (
        ClassSession.tenant_id == scope.tenant_id,
        ClassSession.location_id == scope.location.id,
        ClassSession.starts_at >= since,
    )


def _snapshot(scope: SnapshotScope) -> dict[str, Any]:
    db, tenant_id = scope.db, scope.tenant_id
    query = select(SessionType).where(SessionType.tenant_id == tenant_id)
    types = list(db.execute(query).scalars())
    type_names = {t.id: t.name for t in types}
    staff = select(StaffAccount.id, StaffAccount.name).where(StaffAccount.tenant_id == tenant_id)
    staff_names = {row.id: row.name for row in db.execute(staff)}
    sessions = db.execute(
        select(ClassSession)
        .where(*bookable_at(scope))
        .order_by(ClassSession.starts_at, ClassSession.id)
    ).scalars()
    return {
        "session_types": [session_type_shape(t) for t in types],
        "class_sessions": [
            session_shape(
                s,
                type_names.get(s.session_type_id, ""),
                staff_names.get(s.instructor_id) if s.instructor_id else None,
            )
            for s in sessions
        ],
    }


def register(registry: SyncRegistry) -> None:
    registry.tables.register(
        wire.TABLE_SESSION_TYPES,
        SessionType,
        serialise=lambda row: session_type_shape(row).model_dump(mode="json"),
    )
    registry.tables.register(
        wire.TABLE_CLASS_SESSIONS,
        ClassSession,
        serialise=_session,
        location=lambda row: row.location_id,
        include=lambda row: recent(row.starts_at),
    )
    registry.snapshot_parts.append(_snapshot)
