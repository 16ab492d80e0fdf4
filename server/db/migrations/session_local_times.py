"""Fill class sessions' local date and wall-clock start from ``starts_at``, for migrations.

The application keeps ``class_sessions.local_date`` and ``local_start`` equal to ``starts_at``
read in the IANA zone of the session's location, to the minute (seconds dropped). Rows written
before those columns existed are filled here with the same values: PostgreSQL converts in SQL
with its own zone data; SQLite has none, so rows are read, converted with ``zoneinfo`` and
written back in batches. The conversion is per instant, so each row gets the offset in force
at its own start, on either side of a daylight-saving change.

This module is frozen with the migrations that use it: it names its tables and columns
itself rather than importing the application's models, which may change after them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

#: What migration 0005 used to leave in rows that existed before it (its server defaults).
PLACEHOLDER_DATE = date(1970, 1, 1)
PLACEHOLDER_TIME = time(0, 0)

#: Rows converted per round trip on SQLite: bounded memory, few statements.
BATCH_SIZE = 1000

_sessions = sa.table(
    "class_sessions",
    sa.column("tenant_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("location_id", sa.Uuid()),
    sa.column("starts_at", sa.DateTime(timezone=True)),
    sa.column("local_date", sa.Date()),
    sa.column("local_start", sa.Time()),
)
_locations = sa.table(
    "locations",
    sa.column("tenant_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("timezone", sa.String()),
)


def fill_local_times(connection: Connection, *, only_placeholders: bool) -> None:
    """Set ``local_date``/``local_start`` of every session, or only of those still holding
    the placeholders (a database that ran migration 0005 before it filled them).

    A session whose true local start is the placeholder itself (midnight on 1 January
    1970) is left as it is either way: its values are already right.
    """
    if connection.dialect.name == "postgresql":
        _fill_in_sql(connection, only_placeholders=only_placeholders)
    else:
        _fill_in_python(connection, only_placeholders=only_placeholders)


def _local_parts(starts_at: datetime, zone: ZoneInfo) -> tuple[date, time]:
    """The local date and wall-clock minute of a UTC instant, as the application writes them."""
    if starts_at.tzinfo is None:  # SQLite keeps no offset; the column holds UTC
        starts_at = starts_at.replace(tzinfo=UTC)
    local = starts_at.astimezone(zone)
    return local.date(), local.time().replace(second=0, microsecond=0, tzinfo=None, fold=0)


def _fill_in_sql(connection: Connection, *, only_placeholders: bool) -> None:
    local = "(s.starts_at AT TIME ZONE l.timezone)"
    placeholder = (
        f" AND s.local_date = DATE '{PLACEHOLDER_DATE.isoformat()}'"
        f" AND s.local_start = TIME '{PLACEHOLDER_TIME.isoformat()}'"
        f" AND date_trunc('minute', {local}) <> TIMESTAMP '{PLACEHOLDER_DATE.isoformat()} "
        f"{PLACEHOLDER_TIME.isoformat()}'"
        if only_placeholders
        else ""
    )
    connection.execute(
        sa.text(
            f"UPDATE class_sessions AS s SET local_date = CAST({local} AS DATE), "
            f"local_start = CAST(date_trunc('minute', {local}) AS TIME) "
            "FROM locations AS l WHERE l.tenant_id = s.tenant_id AND l.id = s.location_id"
            + placeholder
        )
    )


def _fill_in_python(connection: Connection, *, only_placeholders: bool) -> None:
    """Walk the sessions in key order a batch at a time, so no batch is read twice."""
    query = (
        sa.select(
            _sessions.c.tenant_id,
            _sessions.c.id,
            _sessions.c.starts_at,
            _sessions.c.local_date,
            _sessions.c.local_start,
            _locations.c.timezone,
        )
        .join(
            _locations,
            sa.and_(
                _locations.c.tenant_id == _sessions.c.tenant_id,
                _locations.c.id == _sessions.c.location_id,
            ),
        )
        .order_by(_sessions.c.tenant_id, _sessions.c.id)
        .limit(BATCH_SIZE)
    )
    if only_placeholders:
        # The time is checked after reading: SQLite compares the stored text, and the
        # placeholder ("00:00:00") is not written the way a bound time is.
        query = query.where(_sessions.c.local_date == PLACEHOLDER_DATE)
    update = (
        sa.update(_sessions)
        .where(
            _sessions.c.tenant_id == sa.bindparam("key_tenant_id", type_=sa.Uuid()),
            _sessions.c.id == sa.bindparam("key_id", type_=sa.Uuid()),
        )
        .values(
            local_date=sa.bindparam("new_local_date", type_=sa.Date()),
            local_start=sa.bindparam("new_local_start", type_=sa.Time()),
        )
    )
    after: tuple[uuid.UUID, uuid.UUID] | None = None
    while True:
        page = query
        if after is not None:
            last = sa.tuple_(*(sa.literal(value, sa.Uuid()) for value in after))
            page = page.where(sa.tuple_(_sessions.c.tenant_id, _sessions.c.id) > last)
        rows = connection.execute(page).all()
        if not rows:
            return
        changes: list[dict[str, object]] = []
        for tenant_id, session_id, starts_at, local_date, local_start, zone in rows:
            if only_placeholders and local_start != PLACEHOLDER_TIME:
                continue
            new_date, new_start = _local_parts(starts_at, ZoneInfo(zone))
            if only_placeholders and (new_date, new_start) == (local_date, local_start):
                continue
            changes.append(
                {
                    "key_tenant_id": tenant_id,
                    "key_id": session_id,
                    "new_local_date": new_date,
                    "new_local_start": new_start,
                }
            )
        if changes:
            connection.execute(update, changes)
        after = (rows[-1][0], rows[-1][1])
