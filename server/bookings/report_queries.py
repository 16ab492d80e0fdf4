"""The attendance reports' sums, computed by the database (GROUP BY) from the sessions'
local dates and start times: a session's ``local_date`` and ``local_start`` are its wall
clock at its location, so weeks, weekdays and hours are the location's own on both sides of
a daylight-saving change, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, case, cast, func, literal_column, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from server.bookings.models import Booking
from server.db.repository import within
from server.scheduling.models import ClassSession, SessionType
from shared.enums import Attendance, BookingStatus, CancelKind

#: A session called off is not offered: its places and bookings are left out.
_CALLED_OFF = "cancelled"


@dataclass(frozen=True)
class Counts:
    """Sums over some sessions: places offered and what became of the bookings."""

    sessions: int
    places: int
    #: Places held at the end (confirmed or awaiting approval).
    booked: int
    #: Of those, members who came (on time or late).
    attended: int
    no_shows: int
    late_cancels: int
    in_time_cancels: int


def _count(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _per_session(tenant_id: uuid.UUID) -> Subquery:
    """Each session's bookings summed once, so that joining sessions keeps one row each
    (a session's capacity is then summed once per session, not once per booking)."""
    held = Booking.status.in_([BookingStatus.CONFIRMED, BookingStatus.PENDING])
    return (
        select(
            Booking.session_id.label("session_id"),
            _count(held).label("booked"),
            _count(held & Booking.attendance.in_([Attendance.ON_TIME, Attendance.LATE])).label(
                "attended"
            ),
            _count(held & (Booking.attendance == Attendance.NO_SHOW)).label("no_shows"),
            _count(Booking.cancel_kind == CancelKind.LATE).label("late_cancels"),
            _count(Booking.cancel_kind == CancelKind.IN_TIME).label("in_time_cancels"),
        )
        .where(Booking.tenant_id == tenant_id)
        .group_by(Booking.session_id)
        .subquery("per_session")
    )


def _week_start(dialect: str) -> Any:
    """The Monday of a session's local week."""
    day = ClassSession.local_date
    if dialect == "postgresql":
        return cast(func.date_trunc("week", day), Date)
    back: Any = literal_column(
        "'-' || ((CAST(strftime('%w', class_sessions.local_date) AS INTEGER) + 6) % 7)"
    )
    return type_coerce(func.date(day, back.concat(" days")), Date)


def _weekday(dialect: str) -> Any:
    """0 for Monday to 6 for Sunday."""
    if dialect == "postgresql":
        return cast(func.extract("isodow", ClassSession.local_date), Integer) - 1
    return (cast(func.strftime("%w", ClassSession.local_date), Integer) + 6) % 7


def _hour(dialect: str) -> Any:
    if dialect == "postgresql":
        return cast(func.extract("hour", ClassSession.local_start), Integer)
    # SQLite keeps a time as "HH:MM:SS.ffffff".
    return cast(func.substr(ClassSession.local_start, 1, 2), Integer)


def _sums(per_session: Subquery) -> list[Any]:
    def total(column: Any) -> Any:
        return func.coalesce(func.sum(column), 0)

    return [
        func.count(ClassSession.id),
        total(ClassSession.capacity),
        total(per_session.c.booked),
        total(per_session.c.attended),
        total(per_session.c.no_shows),
        total(per_session.c.late_cancels),
        total(per_session.c.in_time_cancels),
    ]


def _grouped(
    db: Session,
    tenant_id: uuid.UUID,
    keys: list[Any],
    from_day: date,
    to_day: date,
    location_ids: Collection[uuid.UUID] | None,
    join_type: bool = False,
) -> list[Any]:
    per_session = _per_session(tenant_id)
    query = (
        select(*keys, *_sums(per_session))
        .select_from(ClassSession)
        .outerjoin(per_session, per_session.c.session_id == ClassSession.id)
        .where(
            ClassSession.tenant_id == tenant_id,
            ClassSession.local_date >= from_day,
            ClassSession.local_date <= to_day,
            ClassSession.status != _CALLED_OFF,
            *within(ClassSession.location_id, location_ids),
        )
        .group_by(*keys)
        .order_by(*keys)
    )
    if join_type:
        query = query.join(
            SessionType,
            (SessionType.tenant_id == ClassSession.tenant_id)
            & (SessionType.id == ClassSession.session_type_id),
        )
    return list(db.execute(query))


def _counts(values: Any) -> Counts:
    return Counts(*(int(v) for v in values))


def by_week(
    db: Session,
    tenant_id: uuid.UUID,
    from_day: date,
    to_day: date,
    location_ids: Collection[uuid.UUID] | None,
) -> list[tuple[date, Counts]]:
    """(Monday, sums) per local week that had sessions."""
    week = _week_start(db.get_bind().dialect.name).label("week")
    rows = _grouped(db, tenant_id, [week], from_day, to_day, location_ids)
    return [(_as_date(row[0]), _counts(row[1:])) for row in rows]


def by_session_type(
    db: Session,
    tenant_id: uuid.UUID,
    from_day: date,
    to_day: date,
    location_ids: Collection[uuid.UUID] | None,
) -> list[tuple[uuid.UUID, str, Counts]]:
    keys = [SessionType.id, SessionType.name]
    rows = _grouped(db, tenant_id, keys, from_day, to_day, location_ids, join_type=True)
    return [(row[0], row[1], _counts(row[2:])) for row in rows]


def by_weekday_hour(
    db: Session,
    tenant_id: uuid.UUID,
    from_day: date,
    to_day: date,
    location_ids: Collection[uuid.UUID] | None,
) -> list[tuple[int, int, Counts]]:
    """(weekday 0–6 from Monday, local hour, sums) per slot that had sessions."""
    dialect = db.get_bind().dialect.name
    keys = [_weekday(dialect).label("weekday"), _hour(dialect).label("hour")]
    rows = _grouped(db, tenant_id, keys, from_day, to_day, location_ids)
    return [(int(row[0]), int(row[1]), _counts(row[2:])) for row in rows]


def _as_date(value: Any) -> date:
    # SQLite's date() answers text.
    return value if isinstance(value, date) else date.fromisoformat(str(value))
