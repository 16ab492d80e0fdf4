"""Session types, their instructors, and single sessions (one-off, moved, cancelled).

Recurring series live in ``series.py``; public browsing in ``browse.py``; feeds in ``ical.py``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.ports.identity import AccessClaims
from server.scheduling import profiles
from server.scheduling.models import ClassSession, SessionType
from server.scheduling.repository import (
    SessionRepository,
    SessionTypeRepository,
    leaders,
)
from server.scheduling.rules import MissingLocalTime, local_parts, to_utc
from server.scheduling.schemas import (
    InstructorRead,
    InstructorsRead,
    InstructorsUpdate,
    SessionRead,
    SessionTypeCreate,
    SessionTypePage,
    SessionTypeRead,
    SessionTypeUpdate,
)
from server.tenants.models import Location
from server.tenants.repository import LocationRepository
from shared.clock import utcnow
from shared.enums import SessionKind, SessionStatus, StaffRole
from shared.ids import new_id
from shared.local_times import local

#: Staff who may lead sessions.
LEADER_ROLES = frozenset({StaffRole.COACH, StaffRole.MANAGER, StaffRole.OWNER})


# --- session types -------------------------------------------------------------------------


def type_read(row: SessionType) -> SessionTypeRead:
    return SessionTypeRead.model_validate(row)


def create_session_type(
    *, uow: UnitOfWork, claims: AccessClaims, cmd: SessionTypeCreate
) -> SessionTypeRead:
    with uow:
        fields = profiles.apply_profile(uow.db, claims.tenant_id, cmd.model_dump())
        row = SessionType(id=new_id(), **fields)
        SessionTypeRepository(uow.db, claims.tenant_id).add(row)
        uow.commit()
        return type_read(row)


def list_session_types(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    active: bool | None,
    kind: SessionKind | None,
    limit: int,
    offset: int,
) -> SessionTypePage:
    with uow:
        rows = SessionTypeRepository(uow.db, claims.tenant_id).search(
            active=active, kind=kind.value if kind else None, limit=limit + 1, offset=offset
        )
        return SessionTypePage(
            items=[type_read(r) for r in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def get_session_type(
    *, uow: UnitOfWork, claims: AccessClaims, session_type_id: uuid.UUID
) -> SessionTypeRead:
    with uow:
        repo = SessionTypeRepository(uow.db, claims.tenant_id)
        return type_read(repo.get_or_404(session_type_id))


def update_session_type(
    *, uow: UnitOfWork, claims: AccessClaims, session_type_id: uuid.UUID, cmd: SessionTypeUpdate
) -> SessionTypeRead:
    """Change a type; sessions already planned keep their own duration and capacity."""
    changes = cmd.model_dump(exclude_unset=True)
    required = (
        "name",
        "kind",
        "category",
        "duration_minutes",
        "default_capacity",
        "requires_approval",
        "intensity",
        "contraindications",
        "active",
    )
    for field in required:
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field} cannot be empty")
    with uow:
        repo = SessionTypeRepository(uow.db, claims.tenant_id)
        row = repo.get_or_404(session_type_id, for_update=True)
        # The profile's values, read before the edit moves ``profile_id``, win over the
        # edit's own: a type or Tile that follows a profile prescribes what it says.
        followed = profiles.followed_fields(uow.db, claims.tenant_id, row.profile_id, changes)
        for field, value in changes.items():
            setattr(row, field, value.value if hasattr(value, "value") else value)
        for field, value in followed.items():
            setattr(row, field, value)
        uow.commit()
        return type_read(row)


def active_type_or_error(uow: UnitOfWork, tenant_id: uuid.UUID, type_id: uuid.UUID) -> SessionType:
    row = SessionTypeRepository(uow.db, tenant_id).get_or_404(type_id)
    if not row.active:
        raise InvalidInput(f"session type '{row.name}' is archived; make it active first")
    return row


# --- instructors ---------------------------------------------------------------------------


def check_leaders(uow: UnitOfWork, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> None:
    """Every id is an active coach, manager or owner of the tenant (another's: not found)."""
    found = {s.id: s for s in leaders(uow.db, tenant_id, ids)}
    for staff_id in ids:
        staff = found.get(staff_id)
        if staff is None:
            raise NotFound(f"staff member {staff_id} was not found")
        if not staff.active:
            raise InvalidInput(f"{staff.name} is not an active staff member")
        if staff.role not in LEADER_ROLES:
            raise InvalidInput(
                f"{staff.name} is {staff.role.replace('_', ' ')}; only a coach, manager or "
                "owner can lead sessions"
            )


def _instructors_read(uow: UnitOfWork, tenant_id: uuid.UUID, type_id: uuid.UUID) -> InstructorsRead:
    staff = SessionTypeRepository(uow.db, tenant_id).instructors(type_id)
    return InstructorsRead(
        session_type_id=type_id,
        instructors=[InstructorRead(id=s.id, name=s.name, role=s.role) for s in staff],
    )


def set_instructors(
    *, uow: UnitOfWork, claims: AccessClaims, session_type_id: uuid.UUID, cmd: InstructorsUpdate
) -> InstructorsRead:
    with uow:
        repo = SessionTypeRepository(uow.db, claims.tenant_id)
        repo.get_or_404(session_type_id, for_update=True)
        ids = list(dict.fromkeys(cmd.staff_ids))
        check_leaders(uow, claims.tenant_id, ids)
        repo.set_instructors(session_type_id, ids)
        uow.commit()
        return _instructors_read(uow, claims.tenant_id, session_type_id)


def get_instructors(
    *, uow: UnitOfWork, claims: AccessClaims, session_type_id: uuid.UUID
) -> InstructorsRead:
    with uow:
        SessionTypeRepository(uow.db, claims.tenant_id).get_or_404(session_type_id)
        return _instructors_read(uow, claims.tenant_id, session_type_id)


# --- single sessions -----------------------------------------------------------------------


def session_read(row: ClassSession, timezone: str, members_told: int | None = None) -> SessionRead:
    return SessionRead(
        id=row.id,
        location_id=row.location_id,
        session_type_id=row.session_type_id,
        schedule_id=row.schedule_id,
        occurrence_date=row.occurrence_date,
        instructor_id=row.instructor_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        local_date=row.local_date,
        local_start=row.local_start,
        timezone=timezone,
        starts_at_local=local(row.starts_at, timezone),
        ends_at_local=local(row.ends_at, timezone),
        capacity=row.capacity,
        confirmed_count=row.confirmed_count,
        waitlist_count=row.waitlist_count,
        free_places=max(0, row.capacity - row.confirmed_count),
        room=row.room,
        status=SessionStatus(row.status),
        cancel_reason=row.cancel_reason,
        detached=row.detached,
        sequence=row.sequence,
        created_at=row.created_at,
        updated_at=row.updated_at,
        members_told=members_told,
    )


def place_times(row: ClassSession, starts_at: datetime, minutes: int, zone: str) -> None:
    """Set the session's start, end and local wall-clock start together."""
    row.starts_at = starts_at
    row.ends_at = starts_at + timedelta(minutes=minutes)
    row.local_date, row.local_start = local_parts(starts_at, zone)


def start_in_future(location: Location, day: date, at: time) -> datetime:
    """The UTC start of a single session at a local date and time, which must be ahead."""
    if at.tzinfo is not None:
        raise InvalidInput("local_start is a wall-clock time in the location's zone: no offset")
    try:
        starts_at = to_utc(day, at, ZoneInfo(location.timezone))
    except MissingLocalTime as exc:
        raise InvalidInput(str(exc), code="missing_local_time") from None
    if starts_at <= utcnow():
        raise InvalidInput(f"{day.isoformat()} {at:%H:%M} ({location.timezone}) is in the past")
    return starts_at


def location_or_404(uow: UnitOfWork, claims: AccessClaims, location_id: uuid.UUID) -> Location:
    """The location, if the caller may plan there (another location of a caller limited to
    some: not found)."""
    if not claims.sees_location(location_id):
        raise NotFound(f"location {location_id} was not found")
    return LocationRepository(uow.db, claims.tenant_id).get_or_404(location_id)


def zone_of(uow: UnitOfWork, tenant_id: uuid.UUID, location_id: uuid.UUID) -> str:
    """The time zone of a location, archived or not (its sessions stay readable)."""
    location = uow.db.get(Location, (tenant_id, location_id))
    if location is None:
        raise NotFound(f"location {location_id} was not found")
    return location.timezone


def set_capacity(uow: UnitOfWork, rows: list[ClassSession], capacity: int) -> list[ClassSession]:
    """Change the capacity of sessions; returns those that grew. Lowering one below what it
    has booked is a Conflict (a conditional update decides, so a booking racing with it
    cannot slip past); the caller's transaction then changes nothing."""
    if not rows:
        return []
    repo = SessionRepository(uow.db, rows[0].tenant_id)
    uow.db.flush()
    grew = [r for r in rows if capacity > r.capacity]
    changed = repo.set_capacity([r.id for r in rows], capacity)
    refused = [r for r in rows if r.id not in changed]
    if refused:
        _, booked = repo.counts(refused[0].id)
        raise Conflict(
            f"capacity {capacity} is below the {booked} places already booked",
            code="capacity_below_booked",
        )
    for row in rows:
        uow.db.expire(row, ["capacity", "updated_at"])
    return grew
