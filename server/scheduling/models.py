"""Session types, their instructors, recurring schedules and session instances."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    Uuid,
    event,
    inspect,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from server.db.base import Base, TenantScoped, Timestamps, UtcDateTime
from server.tenants.models import Location


class SessionType(TenantScoped, Timestamps, Base):
    """A kind of session a tenant runs, with its movement prescription profile."""

    __tablename__ = "session_types"

    name: Mapped[str] = mapped_column(String(200))
    #: class, personal_training, event (shared.enums.SessionKind)
    kind: Mapped[str] = mapped_column(String(20))
    #: Free text a tenant chooses: HIIT, yoga, strength, …
    category: Mapped[str] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(String(2000))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    default_capacity: Mapped[int] = mapped_column(Integer)
    #: Boutique studios approve each booking by hand.
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Movement prescription profile: low, moderate, high, vigorous (shared.enums.Intensity)
    intensity: Mapped[str] = mapped_column(String(10))
    primary_goal: Mapped[str | None] = mapped_column(String(100))
    contraindications: Mapped[list[str]] = mapped_column(JSON, default=list)
    suggested_per_week: Mapped[int | None] = mapped_column(Integer)
    #: The prescription profile whose intensity, goal, contra-indications and frequency the
    #: type takes (None: the type's own values).
    profile_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SessionTypeInstructor(Base):
    """A staff member (coach) who may lead sessions of a type."""

    __tablename__ = "session_type_instructors"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "session_type_id"], ["session_types.tenant_id", "session_types.id"]
        ),
        ForeignKeyConstraint(
            ["tenant_id", "staff_id"], ["staff_accounts.tenant_id", "staff_accounts.id"]
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    session_type_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)


class Schedule(TenantScoped, Timestamps, Base):
    """A recurring series in the location's local wall-clock time.

    "Mon/Wed/Fri 07:00, 60 min, from 1 March to 30 June, except 14 April".
    """

    __tablename__ = "schedules"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "location_id"], ["locations.tenant_id", "locations.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "session_type_id"], ["session_types.tenant_id", "session_types.id"]
        ),
        Index("ix_schedules_tenant_location", "tenant_id", "location_id"),
    )

    location_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    session_type_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    instructor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: ISO weekdays, 1 = Monday … 7 = Sunday.
    weekdays: Mapped[list[int]] = mapped_column(JSON)
    local_start: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: ISO dates skipped ("except 14 April").
    except_dates: Mapped[list[str]] = mapped_column(JSON, default=list)
    room: Mapped[str | None] = mapped_column(String(100))
    #: A start time that does not exist on a day (spring forward): shift or skip
    #: (server.scheduling.rules.OnMissingTime).
    on_missing_time: Mapped[str] = mapped_column(String(5), default="shift")
    #: Set when the series is ended early or withdrawn; no instances after it.
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ClassSession(TenantScoped, Timestamps, Base):
    """One session at one time: a schedule's instance or a single session.

    ``confirmed_count`` counts bookings holding a place (confirmed or pending approval); it
    only changes with a conditional update under the row's lock, so it never passes
    ``capacity``. ``next_position`` numbers bookings in arrival order (waitlist order).
    """

    __tablename__ = "class_sessions"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "location_id"], ["locations.tenant_id", "locations.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "session_type_id"], ["session_types.tenant_id", "session_types.id"]
        ),
        UniqueConstraint("tenant_id", "schedule_id", "occurrence_date"),
        Index("ix_class_sessions_tenant_location_start", "tenant_id", "location_id", "starts_at"),
        Index("ix_class_sessions_tenant_start", "tenant_id", "starts_at"),
        Index("ix_class_sessions_tenant_local_date", "tenant_id", "local_date"),
    )

    location_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    session_type_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    schedule_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: The local date the schedule put it on (kept when the instance is moved).
    occurrence_date: Mapped[date | None] = mapped_column(Date)
    instructor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: The start in the location's wall-clock time, kept with starts_at, for browsing by
    #: local date and time of day.
    local_date: Mapped[date] = mapped_column(Date)
    local_start: Mapped[time] = mapped_column(Time)
    capacity: Mapped[int] = mapped_column(Integer)
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0)
    waitlist_count: Mapped[int] = mapped_column(Integer, default=0)
    next_position: Mapped[int] = mapped_column(Integer, default=1)
    room: Mapped[str | None] = mapped_column(String(100))
    #: scheduled or cancelled (shared.enums.SessionStatus)
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    #: Changed by itself (moved, other instructor): a series edit leaves it alone.
    detached: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Bumped on every change members see (time, cancellation): iCal SEQUENCE.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    #: Set once the no-show sweep has closed it.
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


def keep_local_times_in_step() -> None:
    """Make every ORM write of a class session fill its local date and time from starts_at
    (bootstrap calls this; calling it again changes nothing)."""
    for name in ("before_insert", "before_update"):
        if not event.contains(ClassSession, name, _fill_local_start):
            event.listen(ClassSession, name, _fill_local_start)


def _fill_local_start(mapper: Mapper[Any], connection: Connection, target: ClassSession) -> None:
    """Keep local_date/local_start in step with starts_at, whoever writes the row.

    Scheduling sets both itself; this covers code (and tests) elsewhere that only sets
    starts_at, so the wall-clock columns can never disagree with the instant.
    """
    state = inspect(target)
    if (
        state.attrs.local_date.history.has_changes()
        or state.attrs.local_start.history.has_changes()
    ):
        return  # set explicitly, with starts_at
    if state.persistent and not state.attrs.starts_at.history.has_changes():
        return  # an update that does not move the session
    zone = connection.execute(
        select(Location.timezone).where(
            Location.tenant_id == target.tenant_id, Location.id == target.location_id
        )
    ).scalar_one()
    local = target.starts_at.astimezone(ZoneInfo(zone))
    target.local_date = local.date()
    target.local_start = local.time().replace(second=0, microsecond=0, tzinfo=None, fold=0)
