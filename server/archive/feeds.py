"""The analytics feeds: attendance (check-ins, and bookings attended) and movement events,
as CSV or NDJSON, written row by row as they are read. Members appear by id only: no
names, emails or free text a person typed."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.orm import Session

from server.api.exports import neutralise
from server.archive import rules
from server.bookings.models import Booking
from server.checkin.models import Checkin
from server.engagement.models import MovementEvent
from server.scheduling.models import ClassSession
from shared.enums import Attendance

FeedFormat = Literal["csv", "ndjson"]
Feed = Literal["attendance", "movement"]

ATTENDANCE = (
    "kind",
    "id",
    "occurred_at",
    "member_id",
    "location_id",
    "session_id",
    "admitted",
    "method",
    "attendance",
)
MOVEMENT = (
    "id",
    "member_id",
    "kind",
    "occurred_at",
    "local_date",
    "location_id",
    "session_id",
    "minutes",
    "intensity",
    "source",
    "provenance",
    "is_void",
    "voids",
)

_CHUNK = 2000


def _within(column: Any, locations: frozenset[uuid.UUID] | None) -> ColumnElement[bool]:
    return true() if locations is None else column.in_(sorted(locations))


def _stream(db: Session, statement: Select[Any] | Any) -> Iterator[dict[str, Any]]:
    for rows in db.execute(statement.execution_options(yield_per=_CHUNK)).partitions(_CHUNK):
        for row in rows:
            yield dict(row._mapping)


def attendance(
    db: Session,
    tenant_id: uuid.UUID,
    start: datetime,
    end: datetime,
    locations: frozenset[uuid.UUID] | None,
) -> Iterator[dict[str, Any]]:
    """Check-ins between ``start`` and ``end`` (by when they happened), then the bookings
    attended (on time or late) of classes starting then; each in time order."""
    checkins = (
        select(
            Checkin.id,
            Checkin.occurred_at,
            Checkin.member_id,
            Checkin.location_id,
            Checkin.admitted,
            Checkin.method,
        )
        .where(
            Checkin.tenant_id == tenant_id,
            Checkin.occurred_at >= start,
            Checkin.occurred_at < end,
            _within(Checkin.location_id, locations),
        )
        .order_by(Checkin.occurred_at, Checkin.id)
    )
    for row in _stream(db, checkins):
        yield {"kind": "checkin", **row, "session_id": None, "attendance": None}
    bookings = (
        select(
            Booking.id,
            Booking.starts_at.label("occurred_at"),
            Booking.member_id,
            ClassSession.location_id,
            Booking.session_id,
            Booking.attendance,
        )
        .join(
            ClassSession,
            (ClassSession.tenant_id == Booking.tenant_id) & (ClassSession.id == Booking.session_id),
        )
        .where(
            Booking.tenant_id == tenant_id,
            Booking.starts_at >= start,
            Booking.starts_at < end,
            Booking.attendance.in_([Attendance.ON_TIME, Attendance.LATE]),
            _within(ClassSession.location_id, locations),
        )
        .order_by(Booking.starts_at, Booking.id)
    )
    for row in _stream(db, bookings):
        yield {"kind": "booking", **row, "admitted": None, "method": None}


def movement(
    db: Session,
    tenant_id: uuid.UUID,
    start: datetime,
    end: datetime,
    locations: frozenset[uuid.UUID] | None,
) -> Iterator[dict[str, Any]]:
    """Movement events that happened between ``start`` and ``end``, voided ones and their
    voids included (``is_void``, ``voids``) so a feed adds up as the ledger does."""
    statement = (
        select(*[MovementEvent.__table__.c[name] for name in MOVEMENT])
        .where(
            MovementEvent.tenant_id == tenant_id,
            MovementEvent.occurred_at >= start,
            MovementEvent.occurred_at < end,
            _within(MovementEvent.location_id, locations),
        )
        .order_by(MovementEvent.occurred_at, MovementEvent.id)
    )
    yield from _stream(db, statement)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return rules.encode("datetime", value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def as_ndjson(rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    lines: list[str] = []
    for row in rows:
        lines.append(json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False))
        if len(lines) >= _CHUNK:
            yield ("\n".join(lines) + "\n").encode()
            lines = []
    if lines:
        yield ("\n".join(lines) + "\n").encode()


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    value = _plain(value)
    return neutralise(value) if isinstance(value, str) else value


def as_csv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """UTF-8 CSV with a header row; text a spreadsheet would evaluate starts with ``'``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_value(row[c]) for c in columns])
        if count % _CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
