"""Change capture for pull (DESIGN.md §5.7): every write to a synced table, in the writing
transaction, becomes a numbered change for each location whose kiosks hold that row.

Domains declare their synced tables with :func:`register_synced_table`. A session listener
collects ORM inserts, updates and deletes of those models at each flush; writes made with
Core statements call :func:`touch` instead. Just before the root transaction commits, the
collected rows are numbered per location from a counter row that ``UPDATE … RETURNING``
row-locks until commit, so that sequence order and commit order agree on PostgreSQL.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import JSON, Dialect, Table, event, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction

from server.sync.models import LocationSyncSeq, SyncChange
from server.tenants.models import Location
from shared.clock import utcnow

#: Where a row goes: one location, or (None) every location of its tenant.
LocationOf = Callable[[Any], uuid.UUID | None]
VisibleAt = Callable[[Any, uuid.UUID], bool]


@dataclass(frozen=True)
class SyncedTable:
    name: str
    model: type[Any]
    #: The row as kiosks hold it; None makes a tombstone (deleted, archived, withdrawn).
    serialise: Callable[[Any], dict[str, Any] | None]
    location: LocationOf
    #: False: the change is not for kiosks at all (e.g. a refused check-in).
    include: Callable[[Any], bool]
    #: False for a location: a tombstone there (e.g. staff moved to another location).
    visible_at: VisibleAt | None


_TABLES: dict[type[Any], SyncedTable] = {}


def _everywhere(_row: Any) -> None:
    return None


def register_synced_table(
    name: str,
    model: type[Any],
    *,
    serialise: Callable[[Any], dict[str, Any] | None],
    location: LocationOf = _everywhere,
    include: Callable[[Any], bool] = lambda _row: True,
    visible_at: VisibleAt | None = None,
) -> None:
    """Make every change of ``model`` rows reach the kiosks' pull as table ``name``.

    ``model`` rows need ``tenant_id`` and ``id``. ``location`` says which location's kiosks
    hold a row (default: all of the tenant's).
    """
    _TABLES[model] = SyncedTable(name, model, serialise, location, include, visible_at)


@dataclass(frozen=True)
class Captured:
    tenant_id: uuid.UUID
    table: str
    row_id: uuid.UUID
    location_id: uuid.UUID | None
    data: dict[str, Any] | None
    hidden_at: Callable[[uuid.UUID], bool] | None = None


@dataclass(frozen=True)
class _Touched:
    model: type[Any]
    tenant_id: uuid.UUID
    row_id: uuid.UUID


_PENDING = "zmos_sync_pending"
_MARKS = "zmos_sync_marks"


def _pending(session: Session) -> list[Captured | _Touched]:
    found: list[Captured | _Touched] = session.info.setdefault(_PENDING, [])
    return found


def touch(session: Session, model: type[Any], tenant_id: uuid.UUID, row_id: uuid.UUID) -> None:
    """A synced row changed through a Core statement: send it as it is at commit."""
    if model in _TABLES:
        _pending(session).append(_Touched(model, tenant_id, row_id))


def record_change(session: Session, row: Any, *, deleted: bool = False) -> None:
    """Send ``row`` (a synced model instance) as it is now, or as a tombstone."""
    captured = _capture(row, deleted=deleted)
    if captured is not None:
        _pending(session).append(captured)


def record_values(session: Session, model: type[Any], values: dict[str, Any]) -> None:
    """Send a row written with a Core ``INSERT`` of ``values``, without building a model."""
    captured = _capture(SimpleNamespace(**values), deleted=False, model=model)
    if captured is not None:
        _pending(session).append(captured)


def table_of(model: type[Any]) -> Table:
    """The model's table, for fast Core ``INSERT``s of many rows."""
    return cast(Table, model.__table__)


def insert_rows(session: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows of ``model`` (dicts with the same keys) in the open transaction.

    On PostgreSQL an executemany makes psycopg send one ``INSERT`` per row; the rows go as
    one ``COPY`` instead, formatted by psycopg's C code. SQLite's executemany is a C loop
    already. Database errors come out as SQLAlchemy's, as from ``session.execute``.
    """
    if not rows:
        return
    table = table_of(model)
    dialect = session.get_bind().dialect
    defaulted = any(c.default is not None and c.key not in rows[0] for c in table.columns)
    if dialect.name != "postgresql" or defaulted or len(rows) == 1:
        session.execute(insert(table), rows)
        return
    _copy(session, table, list(rows[0]), rows)


def _copy(session: Session, table: Table, keys: list[str], rows: Sequence[dict[str, Any]]) -> None:
    import psycopg  # only ever with PostgreSQL

    dialect = session.get_bind().dialect
    columns = [table.columns[key] for key in keys]
    processors = [
        _json_text(dialect) if isinstance(c.type, JSON) else c.type.bind_processor(dialect)
        for c in columns
    ]
    quote = dialect.identifier_preparer.quote
    statement = (
        f"COPY {dialect.identifier_preparer.format_table(table)} "
        f"({', '.join(quote(c.name) for c in columns)}) FROM STDIN"
    )
    pairs = list(zip(keys, processors, strict=True))
    raw = session.connection().connection.driver_connection
    assert raw is not None
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[k] if p is None else p(row[k]) for k, p in pairs])
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from None


def _json_text(dialect: Dialect) -> Callable[[Any], str]:
    """JSON columns go as their text (psycopg adapts a dict only as a whole parameter)."""
    dumps: Callable[[Any], str] = getattr(dialect, "_json_serializer", None) or json.dumps
    return dumps


def _capture(row: Any, *, deleted: bool, model: type[Any] | None = None) -> Captured | None:
    table = _TABLES.get(model or type(row))
    if table is None or not (deleted or table.include(row)):
        return None
    data = None if deleted else table.serialise(row)
    hidden: Callable[[uuid.UUID], bool] | None = None
    if table.visible_at is not None and data is not None:
        check = table.visible_at
        hidden = lambda location_id: not check(row, location_id)  # noqa: E731
    return Captured(row.tenant_id, table.name, row.id, table.location(row), data, hidden)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    if not _TABLES:
        return
    pending = _pending(session)
    for row in session.new:
        if type(row) in _TABLES and (captured := _capture(row, deleted=False)):
            pending.append(captured)
    for row in session.dirty:
        modified = type(row) in _TABLES and session.is_modified(row, include_collections=False)
        if modified and (captured := _capture(row, deleted=False)):
            pending.append(captured)
    for row in session.deleted:
        if type(row) in _TABLES and (captured := _capture(row, deleted=True)):
            pending.append(captured)


@event.listens_for(Session, "after_transaction_create")
def _savepoint_started(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        session.info.setdefault(_MARKS, {})[transaction] = len(_pending(session))


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, transaction: SessionTransaction) -> None:
    marks: dict[SessionTransaction, int] = session.info.get(_MARKS, {})
    if transaction.nested and transaction in marks:
        del _pending(session)[marks.pop(transaction) :]
    elif not transaction.nested:
        session.info.pop(_PENDING, None)
        session.info.pop(_MARKS, None)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if not session.in_nested_transaction():
        number_pending(session)


def number_pending(session: Session) -> None:
    """Number and store the changes collected so far. The commit does it; calling it earlier
    takes the location counters' locks earlier (tests use it to order transactions)."""
    session.flush()  # commit would flush next; the listener must see this flush's rows now
    if not session.info.get(_PENDING):
        return
    collected = session.info.pop(_PENDING)
    session.info.pop(_MARKS, None)
    write_changes(session, [_resolve(session, item) for item in _last_touches(collected)])


def _last_touches(collected: list[Captured | _Touched]) -> list[Captured | _Touched]:
    """A row touched many times (a pack's credits, taken check-in by check-in) is read once,
    at its last place: the last change of a row wins anyway."""
    seen: set[_Touched] = set()
    kept: list[Captured | _Touched] = []
    for item in reversed(collected):
        if isinstance(item, _Touched):
            if item in seen:
                continue
            seen.add(item)
        kept.append(item)
    kept.reverse()
    return kept


def _resolve(session: Session, item: Captured | _Touched) -> Captured | None:
    if isinstance(item, Captured):
        return item
    model = item.model
    row = session.execute(
        select(model)
        .where(model.tenant_id == item.tenant_id, model.id == item.row_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    return _capture(row, deleted=False) if row is not None else None


def write_changes(session: Session, captured: Sequence[Captured | None]) -> None:
    """Number and store changes in the open transaction; the last change of a row wins."""
    latest: dict[tuple[uuid.UUID, str, uuid.UUID], Captured] = {}
    for item in captured:
        if item is not None:
            key = (item.tenant_id, item.table, item.row_id)
            latest.pop(key, None)
            latest[key] = item
    if not latest:
        return
    everywhere: dict[uuid.UUID, list[uuid.UUID]] = {}
    by_location: dict[tuple[uuid.UUID, uuid.UUID], list[Captured]] = {}
    for item in latest.values():
        if item.location_id is not None:
            targets = [item.location_id]
        else:
            if item.tenant_id not in everywhere:
                everywhere[item.tenant_id] = _live_locations(session, item.tenant_id)
            targets = everywhere[item.tenant_id]
        for location_id in targets:
            by_location.setdefault((item.tenant_id, location_id), []).append(item)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    # A fixed locking order: two transactions fanning out to the same locations never deadlock.
    for tenant_id, location_id in sorted(by_location, key=lambda k: (str(k[0]), str(k[1]))):
        items = by_location[(tenant_id, location_id)]
        last = allocate(session, tenant_id, location_id, len(items))
        for offset, item in enumerate(items):
            hidden = item.hidden_at is not None and item.hidden_at(location_id)
            rows.append(
                {
                    "tenant_id": tenant_id,
                    "location_id": location_id,
                    "seq": last - len(items) + 1 + offset,
                    "table_name": item.table,
                    "row_id": item.row_id,
                    "deleted": item.data is None or hidden,
                    "data": None if hidden else item.data,
                    "created_at": now,
                }
            )
    insert_rows(session, SyncChange, rows)


def _live_locations(session: Session, tenant_id: uuid.UUID) -> list[uuid.UUID]:
    query = select(Location.id).where(
        Location.tenant_id == tenant_id, Location.archived_at.is_(None)
    )
    return list(session.execute(query).scalars())


def allocate(session: Session, tenant_id: uuid.UUID, location_id: uuid.UUID, count: int) -> int:
    """Reserve ``count`` sequence numbers; returns the last. Holds the counter's row lock."""
    counter = update(LocationSyncSeq).where(
        LocationSyncSeq.tenant_id == tenant_id, LocationSyncSeq.location_id == location_id
    )
    statement = counter.values(last_seq=LocationSyncSeq.last_seq + count).returning(
        LocationSyncSeq.last_seq
    )
    last = session.execute(statement).scalar_one_or_none()
    if last is None:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(
            dialect.insert(LocationSyncSeq)
            .values(tenant_id=tenant_id, location_id=location_id, last_seq=0, pruned_seq=0)
            .on_conflict_do_nothing()
        )
        last = session.execute(statement).scalar_one()
    return int(last)


def synced_tables() -> dict[str, SyncedTable]:
    return {table.name: table for table in _TABLES.values()}
