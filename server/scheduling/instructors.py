"""Who may teach a class: a staff member linked to its session type, and free at its time.

One instructor is one person: a class at one location clashes with a class of theirs at
any other location. The check runs in the transaction that writes the sessions, with the
instructor's account row locked, so two managers placing the same coach at once are
decided one after the other.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select

from server.db.uow import UnitOfWork
from server.errors import Conflict
from server.scheduling.models import ClassSession, SessionType, SessionTypeInstructor
from server.staff.models import StaffAccount
from server.tenants.models import Location
from shared.enums import SessionStatus


def check_sessions(uow: UnitOfWork, tenant_id: uuid.UUID, sessions: Sequence[ClassSession]) -> None:
    """Refuse (409) when a scheduled session among ``sessions`` has an instructor who is not
    linked to its type, or who teaches another scheduled session at an overlapping time."""
    by_instructor: dict[uuid.UUID, list[ClassSession]] = {}
    for session in sessions:
        if session.instructor_id is not None and session.status == SessionStatus.SCHEDULED.value:
            by_instructor.setdefault(session.instructor_id, []).append(session)
    for instructor_id, own in by_instructor.items():
        staff = uow.db.execute(
            select(StaffAccount)
            .where(StaffAccount.tenant_id == tenant_id, StaffAccount.id == instructor_id)
            .with_for_update()
        ).scalar_one()
        _check_linked(uow, tenant_id, staff, {s.session_type_id for s in own})
        _check_free(uow, tenant_id, staff, own)


def _check_linked(
    uow: UnitOfWork, tenant_id: uuid.UUID, staff: StaffAccount, type_ids: set[uuid.UUID]
) -> None:
    linked = set(
        uow.db.execute(
            select(SessionTypeInstructor.session_type_id).where(
                SessionTypeInstructor.tenant_id == tenant_id,
                SessionTypeInstructor.staff_id == staff.id,
                SessionTypeInstructor.session_type_id.in_(type_ids),
            )
        ).scalars()
    )
    missing = type_ids - linked
    if not missing:
        return
    name = uow.db.execute(
        select(SessionType.name).where(
            SessionType.tenant_id == tenant_id, SessionType.id == min(missing)
        )
    ).scalar_one()
    raise Conflict(
        f"{staff.name} is not an instructor of {name}: add them to the session type's "
        "instructors first",
        code="instructor_not_linked",
    )


def _check_free(
    uow: UnitOfWork, tenant_id: uuid.UUID, staff: StaffAccount, own: list[ClassSession]
) -> None:
    ids = [s.id for s in own]
    rows = uow.db.execute(
        select(ClassSession, SessionType.name, Location.name, Location.timezone)
        .join(
            SessionType,
            (SessionType.tenant_id == ClassSession.tenant_id)
            & (SessionType.id == ClassSession.session_type_id),
        )
        .join(
            Location,
            (Location.tenant_id == ClassSession.tenant_id)
            & (Location.id == ClassSession.location_id),
        )
        .where(
            ClassSession.tenant_id == tenant_id,
            ClassSession.instructor_id == staff.id,
            ClassSession.status == SessionStatus.SCHEDULED.value,
            ClassSession.id.not_in(ids),
            ClassSession.starts_at < max(s.ends_at for s in own),
            ClassSession.ends_at > min(s.starts_at for s in own),
        )
        .order_by(ClassSession.starts_at)
    ).all()
    for other, type_name, location_name, zone in rows:
        if any(s.starts_at < other.ends_at and other.starts_at < s.ends_at for s in own):
            local = other.starts_at.astimezone(ZoneInfo(zone))
            raise Conflict(
                f"{staff.name} already teaches {type_name} at {location_name} on "
                f"{local:%Y-%m-%d} at {local:%H:%M} ({zone}), which overlaps this time",
                code="instructor_busy",
            )
