"""Upgrading a database that holds data keeps every row, on SQLite and PostgreSQL.

For each revision before head: migrate an empty database to it, fill it with rows valid
there, upgrade to head, then read every row back and check the columns added since hold what
the application would have written (class sessions' local date and time in the location's
zone, across daylight-saving changes). Rows are written and read with SQLAlchemy Core on the
table names, never the application's models, which describe only the newest schema.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Connection, Engine, event

from server.db import migrate
from server.db.migrations import session_local_times
from tests.conftest import PostgresDatabases
from tests.integration.migration_rows import (
    CREATED,
    MIDNIGHT_1970,
    NEW_YEARS_EVE,
    REVISIONS,
    SESSIONS,
    Row,
    SessionCase,
    primary_key,
    rows_at,
    session_row,
)


@pytest.fixture(scope="module")
def postgres_url(postgres: PostgresDatabases) -> str:
    """One database for the module, emptied before each test: creating one costs more."""
    return postgres.create("zmos_migrate_data")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database, at no revision."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'zmos.db'}"
    postgres_url: str = request.getfixturevalue("postgres_url")
    with _engine(postgres_url) as engine, engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    return postgres_url


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's backfill reads sessions a batch at a time: make the test span several."""
    monkeypatch.setattr(session_local_times, "BATCH_SIZE", 3)


@pytest.mark.parametrize("revision", REVISIONS)
def test_upgrade_to_head_keeps_every_row_and_fills_new_columns(url: str, revision: str) -> None:
    migrate.upgrade(url, revision)
    rows = rows_at(revision)
    with _engine(url) as engine:
        with engine.begin() as connection:
            _insert(connection, rows)
        # One revision at a time, so each one's own backfill is checked, not only the end.
        for later in (*REVISIONS[REVISIONS.index(revision) + 1 :], "head"):
            migrate.upgrade(url, later)
            with engine.connect() as connection:
                _assert_rows_kept(connection, rows)
                if revision >= "0004":
                    _assert_local_times(connection, SESSIONS)
        assert migrate.current_revision(engine) == migrate.head_revision(url)
        with engine.connect() as connection:
            # Owners' PINs stay off kiosks until they ask; devices get a PIN key at their
            # next token.
            assert set(_column(connection, "staff_accounts", "kiosk_pin")) == {False}
            assert set(_column(connection, "devices", "pin_key")) == {None}
            # A member who had a photo before kiosks cached thumbnails: its time is the
            # member's last update, so every kiosk fetches it once.
            photos = connection.execute(
                sa.text("SELECT photo_content_type, photo_updated_at, updated_at FROM members")
            ).all()
            assert all((row[1] == row[2]) == (row[0] is not None) for row in photos)
            assert all(row[1] is None for row in photos if row[0] is None)
            assert any(row[0] is not None for row in photos) == (revision >= "0002")
            # A tenant's currency is its plans' (the first tenant sells in GBP; the second
            # has no plan and no policy, so it gets what the policy's default was); an old
            # sale gets receipt 1 and its day at the London location.
            currencies = connection.execute(sa.text("SELECT slug, currency FROM tenants"))
            expected = {"riverside": "GBP" if revision >= "0002" else "EUR", "lotus": "EUR"}
            assert dict(currencies.all()) == expected
            if revision >= "0002":
                assert _column(connection, "desk_payments", "receipt_number") == [1]
                revenue = connection.execute(
                    sa.text("SELECT currency, sales, gross, refunds FROM revenue_days")
                ).all()
                assert [tuple(r) for r in revenue] == [("GBP", 1, Decimal("120.50"), Decimal("0"))]
                assert _column(connection, "desk_payments", "taken_on", sa.Date()) == [
                    CREATED.date()
                ]
            if revision >= "0002":
                _assert_movement_backfilled(connection, with_attendance=revision >= "0004")
            # Members that existed before name search keys get theirs, folded.
            keys = set(_column(connection, "members", "search_key"))
            assert keys == ({"ama mensah", "emile mensah"} if revision >= "0002" else set())
        if revision == "0004":  # the defaults 0005 gave rows that existed before it
            with engine.connect() as connection:
                assert _column(connection, "schedules", "on_missing_time") == ["shift"]
                assert set(_column(connection, "class_sessions", "sequence")) == {0}


def _assert_movement_backfilled(connection: Connection, *, with_attendance: bool) -> None:
    """Old events get minutes, intensity and a local date: a floor check-in 60 moderate
    minutes, an attendance its session's length and type's effort, in the member's home
    zone (Accra: UTC all year, so the date is the UTC date)."""
    rows = connection.execute(
        sa.text(
            "SELECT kind, minutes, intensity, provenance, source, local_date, zone, session_id "
            "FROM movement_events"
        )
    ).all()
    floor = ("checkin", 60, "moderate", "scanner_verified", "kiosk", "2026-01-10", "Africa/Accra")
    expected: list[tuple[object, ...]] = [(*floor, None)]
    if with_attendance:
        # 07:00–08:00 UTC on 28 March: 60 minutes; "medium" is no category, so moderate.
        attendance = ("attendance", 60, "moderate", "scanner_verified", "desk", "2026-03-28")
        expected.append((*attendance, "Africa/Accra", str(SESSIONS[0].id)))
    got = [
        (
            *row[:5],
            str(row[5])[:10],
            row[6],
            None if row[7] is None else str(uuid.UUID(str(row[7]))),
        )
        for row in rows
    ]
    assert sorted(got, key=str) == sorted(expected, key=str)
    assert set(_column(connection, "tenants", "day_start_hour")) == {0}


def test_a_database_upgraded_by_0005_without_its_backfill_is_repaired(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate.upgrade(url, "0004")
    rows = rows_at("0004")
    with _engine(url) as engine:
        with engine.begin() as connection:
            _insert(connection, rows)
        with monkeypatch.context() as as_first_shipped:
            as_first_shipped.setattr(session_local_times, "fill_local_times", _no_backfill)
            migrate.upgrade(url, "0005")
        with engine.begin() as connection:
            assert set(_column(connection, "class_sessions", "local_date", sa.Date())) == {
                date(1970, 1, 1)
            }
            # The application went on writing sessions, with real local values, under 0005.
            written_later = [session_row(MIDNIGHT_1970), session_row(NEW_YEARS_EVE)]
            _insert(connection, {"class_sessions": written_later})
        migrate.upgrade(url)
        with engine.connect() as connection:
            rows["class_sessions"] += written_later
            _assert_rows_kept(connection, rows)
            _assert_local_times(connection, (*SESSIONS, MIDNIGHT_1970, NEW_YEARS_EVE))


def test_downgrade_below_0005_keeps_the_rows_and_upgrading_again_refills(url: str) -> None:
    migrate.upgrade(url, "0004")
    rows = rows_at("0004")
    with _engine(url) as engine:
        with engine.begin() as connection:
            _insert(connection, rows)
        migrate.upgrade(url)
        command.downgrade(migrate.alembic_config(url), "0005")
        command.downgrade(migrate.alembic_config(url), "0004")
        assert migrate.current_revision(engine) == "0004"
        inspector = sa.inspect(engine)
        for table, added in (
            ("class_sessions", {"local_date", "local_start", "sequence"}),
            ("schedules", {"on_missing_time"}),
        ):
            assert not {c["name"] for c in inspector.get_columns(table)} & added, table
        with engine.connect() as connection:
            _assert_rows_kept(connection, rows)
        migrate.upgrade(url)
        with engine.connect() as connection:
            _assert_rows_kept(connection, rows)
            _assert_local_times(connection, SESSIONS)


def _no_backfill(connection: Connection, *, only_placeholders: bool) -> None:
    """Migration 0005 as it first shipped: placeholders left in rows that existed."""


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    if url.startswith("sqlite"):
        # As the application runs SQLite: the rows must satisfy their foreign keys.
        event.listen(engine, "connect", _foreign_keys_on)
    try:
        yield engine
    finally:
        engine.dispose()


def _foreign_keys_on(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _sql_type(value: object) -> sa.types.TypeEngine[Any]:
    """The column type a value is stored with, so each backend binds and reads it as the
    application's models do (a UUID as 32 hex digits on SQLite, JSON as text...)."""
    types: list[tuple[type, Callable[[], sa.types.TypeEngine[Any]]]] = [
        (bool, sa.Boolean),
        (int, sa.BigInteger),
        (uuid.UUID, sa.Uuid),
        (datetime, lambda: sa.DateTime(timezone=True)),
        (date, sa.Date),
        (time, sa.Time),
        (Decimal, lambda: sa.Numeric(12, 2)),
        (bytes, sa.LargeBinary),
        (dict, sa.JSON),
        (list, sa.JSON),
        (str, sa.String),
    ]
    for python_type, sql_type in types:
        if isinstance(value, python_type):
            return sql_type()
    return sa.types.NullType()  # NULL: no cast, whatever the column's type


def _table(name: str, row: Row) -> sa.TableClause:
    return sa.table(name, *(sa.column(key, _sql_type(value)) for key, value in row.items()))


def _insert(connection: Connection, rows: dict[str, list[Row]]) -> None:
    for name, table_rows in rows.items():
        for row in table_rows:
            connection.execute(sa.insert(_table(name, row)).values(row))


def _normal(value: object) -> object:
    # SQLite keeps no offset: the columns hold UTC.
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _assert_rows_kept(connection: Connection, rows: dict[str, list[Row]]) -> None:
    for name, table_rows in rows.items():
        count = connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()
        assert count == len(table_rows), name
        for row in table_rows:
            table = _table(name, row)
            key = primary_key(name)
            found = connection.execute(
                sa.select(table).where(*(table.c[k] == row[k] for k in key))
            ).all()
            assert len(found) == 1, (name, {k: row[k] for k in key})
            kept = {k: _normal(v) for k, v in found[0]._mapping.items()}
            assert kept == row, name


def _assert_local_times(connection: Connection, cases: tuple[SessionCase, ...]) -> None:
    sessions = sa.table(
        "class_sessions",
        sa.column("id", sa.Uuid()),
        sa.column("local_date", sa.Date()),
        sa.column("local_start", sa.Time()),
    )
    stored = {
        row.id: (row.local_date, row.local_start) for row in connection.execute(sa.select(sessions))
    }
    expected = {case.id: (case.local_date, case.local_start) for case in cases}
    assert stored == expected, [c.why for c in cases if stored.get(c.id) != expected[c.id]]
    # The way the application filters by local date and time finds every one of them
    # (on SQLite that compares stored text, so it also checks how the values were written).
    for case in cases:
        found = connection.execute(
            sa.select(sa.func.count())
            .select_from(sessions)
            .where(
                sessions.c.id == case.id,
                sessions.c.local_date == case.local_date,
                sessions.c.local_start == case.local_start,
            )
        ).scalar_one()
        assert found == 1, case.why


def _column(
    connection: Connection,
    table: str,
    column: str,
    sql_type: sa.types.TypeEngine[Any] | None = None,
) -> list[Any]:
    selected = sa.table(table, sa.column(column, sql_type)).c[column]
    return list(connection.execute(sa.select(selected)).scalars())
