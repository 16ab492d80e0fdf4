"""Data access for session types, instructors, schedules and sessions. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, delete, func, select, update
from sqlalchemy.orm import Session

from server.db.repository import TenantRepository, within
from server.scheduling.models import ClassSession, Schedule, SessionType, SessionTypeInstructor
from server.staff.models import StaffAccount
from server.sync import changes as sync_changes
from server.tenants.models import Location

_Row = TypeVarTuple("_Row")


def with_type_and_location(query: Select[*_Row]) -> Select[*_Row]:
    """Joins a query that has class sessions in it to their session type and location."""
    return query.join(
        SessionType,
        (SessionType.tenant_id == ClassSession.tenant_id)
        & (SessionType.id == ClassSession.session_type_id),
    ).join(
        Location,
        (Location.tenant_id == ClassSession.tenant_id) & (Location.id == ClassSession.location_id),
    )


class SessionTypeRepository(TenantRepository[SessionType]):
    model = SessionType
    noun = "session type"

    def search(
        self, *, active: bool | None, kind: str | None, limit: int, offset: int
    ) -> Sequence[SessionType]:
        query = self._select()
        if active is not None:
            query = query.where(SessionType.active.is_(active))
        if kind is not None:
            query = query.where(SessionType.kind == kind)
        query = query.order_by(SessionType.name, SessionType.id).limit(limit).offset(offset)
        rows: Sequence[SessionType] = self.db.execute(query).scalars().all()
        return rows

    def instructors(self, session_type_id: uuid.UUID) -> Sequence[StaffAccount]:
        rows: Sequence[StaffAccount] = (
            self.db.execute(
                select(StaffAccount)
                .join(
                    SessionTypeInstructor,
                    (SessionTypeInstructor.tenant_id == StaffAccount.tenant_id)
                    & (SessionTypeInstructor.staff_id == StaffAccount.id),
                )
                .where(
                    SessionTypeInstructor.tenant_id == self.tenant_id,
                    SessionTypeInstructor.session_type_id == session_type_id,
                )
                .order_by(StaffAccount.name, StaffAccount.id)
            )
            .scalars()
            .all()
        )
        return rows

    def set_instructors(self, session_type_id: uuid.UUID, staff_ids: Sequence[uuid.UUID]) -> None:
        self.db.execute(
            delete(SessionTypeInstructor).where(
                SessionTypeInstructor.tenant_id == self.tenant_id,
                SessionTypeInstructor.session_type_id == session_type_id,
            )
        )
        self.db.add_all(
            SessionTypeInstructor(
                tenant_id=self.tenant_id, session_type_id=session_type_id, staff_id=staff_id
            )
            for staff_id in dict.fromkeys(staff_ids)
        )


class ScheduleRepository(TenantRepository[Schedule]):
    model = Schedule
    noun = "schedule"

    def search(
        self,
        *,
        location_id: uuid.UUID | None,
        limit: int,
        offset: int,
        location_ids: frozenset[uuid.UUID] | None = None,
    ) -> Sequence[Schedule]:
        query = self._select().where(*within(Schedule.location_id, location_ids))
        if location_id is not None:
            query = query.where(Schedule.location_id == location_id)
        query = query.order_by(Schedule.starts_on, Schedule.id).limit(limit).offset(offset)
        rows: Sequence[Schedule] = self.db.execute(query).scalars().all()
        return rows


@dataclass(frozen=True)
class SessionFilter:
    location_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None
    time_from: time | None = None
    time_to: time | None = None
    session_type_id: uuid.UUID | None = None
    category: str | None = None
    instructor_id: uuid.UUID | None = None
    status: str | None = None
    schedule_id: uuid.UUID | None = None
    starts_after: datetime | None = None
    active_types_only: bool = False
    #: A caller limited to some locations: those; None for the whole tenant.
    location_ids: frozenset[uuid.UUID] | None = None


class SessionRepository(TenantRepository[ClassSession]):
    model = ClassSession
    noun = "session"

    def _filtered(self, f: SessionFilter) -> Any:
        query = (
            with_type_and_location(select(ClassSession, SessionType, Location, StaffAccount))
            .outerjoin(
                StaffAccount,
                (StaffAccount.tenant_id == ClassSession.tenant_id)
                & (StaffAccount.id == ClassSession.instructor_id),
            )
            .where(ClassSession.tenant_id == self.tenant_id)
        )
        conditions: list[tuple[object, Callable[[Any], ColumnElement[bool]]]] = [
            (f.location_id, lambda v: ClassSession.location_id == v),
            (f.date_from, lambda v: ClassSession.local_date >= v),
            (f.date_to, lambda v: ClassSession.local_date <= v),
            (f.time_from, lambda v: ClassSession.local_start >= v),
            (f.time_to, lambda v: ClassSession.local_start < v),
            (f.session_type_id, lambda v: ClassSession.session_type_id == v),
            # "Yoga", "yoga" and "YOGA" are one category to whoever types it.
            (f.category, lambda v: func.lower(SessionType.category) == v.lower()),
            (f.instructor_id, lambda v: ClassSession.instructor_id == v),
            (f.status, lambda v: ClassSession.status == v),
            (f.schedule_id, lambda v: ClassSession.schedule_id == v),
            (f.starts_after, lambda v: ClassSession.starts_at > v),
            (f.location_ids, lambda v: ClassSession.location_id.in_(sorted(v))),
        ]
        for value, condition in conditions:
            if value is not None:
                query = query.where(condition(value))
        if f.active_types_only:
            query = query.where(SessionType.active.is_(True), Location.archived_at.is_(None))
        return query

    def search(
        self, f: SessionFilter, *, limit: int, offset: int
    ) -> list[tuple[ClassSession, SessionType, Location, StaffAccount | None]]:
        query = (
            self._filtered(f)
            .order_by(ClassSession.starts_at, ClassSession.id)
            .limit(limit)
            .offset(offset)
        )
        return [(s, t, loc, staff) for s, t, loc, staff in self.db.execute(query)]

    def of_schedule(
        self, schedule_id: uuid.UUID, *, for_update: bool = False
    ) -> list[ClassSession]:
        query = self._select().where(ClassSession.schedule_id == schedule_id)
        if for_update:
            query = query.with_for_update()
        return list(self.db.execute(query.order_by(ClassSession.starts_at)).scalars())

    def set_capacity(self, ids: Sequence[uuid.UUID], capacity: int) -> set[uuid.UUID]:
        """Set capacity where what is booked still fits: one conditional UPDATE for all.

        Returns the ids it changed; the others have more places booked than ``capacity``.
        """
        if not ids:
            return set()
        changed = set(
            self.db.execute(
                update(ClassSession)
                .where(
                    ClassSession.tenant_id == self.tenant_id,
                    ClassSession.id.in_(list(ids)),
                    ClassSession.confirmed_count <= capacity,
                )
                .values(capacity=capacity)
                .returning(ClassSession.id)
                .execution_options(synchronize_session=False)
            ).scalars()
        )
        for session_id in changed:
            sync_changes.touch(self.db, ClassSession, self.tenant_id, session_id)
        return changed

    def counts(self, session_id: uuid.UUID) -> tuple[int, int]:
        """(capacity, confirmed_count) as the database has them now."""
        row = self.db.execute(
            select(ClassSession.capacity, ClassSession.confirmed_count).where(
                ClassSession.tenant_id == self.tenant_id, ClassSession.id == session_id
            )
        ).one()
        return int(row[0]), int(row[1])

    def refresh(self, row: ClassSession) -> None:
        self.db.refresh(row)


def leaders(db: Session, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[StaffAccount]:
    """The tenant's staff accounts with these ids (any role, active or not)."""
    if not ids:
        return []
    return list(
        db.execute(
            select(StaffAccount).where(
                StaffAccount.tenant_id == tenant_id, StaffAccount.id.in_(list(ids))
            )
        ).scalars()
    )
