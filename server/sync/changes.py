"""Change capture for pull: every write to a synced table, in the writing
transaction, becomes a numbered change for each location whose kiosks hold that row.

Domains declare their synced tables on the :class:`SyncedTables` that bootstrap builds, and
bootstrap opens sessions that capture them (:func:`capturing_session_factory`). Those
collect ORM inserts, updates and deletes of those models at each flush; writes made with
Core statements call :func:`touch` instead. Just before the root transaction commits, the
collected rows are numbered per location from a counter row that ``UPDATE … RETURNING``
row-locks until commit, so that sequence order and commit order agree on PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine, event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from server.db.bulk import insert_rows
from server.sync.models import LocationSyncSeq, SyncChange
from shared.clock import utcnow

#: Where a row goes: one location, or (None) every location of its tenant.
LocationOf = Callable[[Any], uuid.UUID | None]
VisibleAt = Callable[[Any, uuid.UUID], bool]
#: Every live location of a tenant: where a row for all of its kiosks goes.
LiveLocations = Callable[[Session, uuid.UUID], list[uuid.UUID]]
#: A stored row made into what one kiosk may hold, given that kiosk's key (or None).
ForDevice = Callable[[dict[str, Any], bytes | None], dict[str, Any]]


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
    #: Set for rows stored in a form no kiosk receives as it is (see ``register``).
    for_device: ForDevice | None = None


@dataclass(frozen=True)
class Captured:
    tenant_id: uuid.UUID
    table: str
    row_id: uuid.UUID
    location_id: uuid.UUID | None
    data: dict[str, Any] | None
    hidden_at: Callable[[uuid.UUID], bool] | None = None


def _everywhere(_row: Any) -> None:
    return None


def _always(_row: Any) -> bool:
    return True


class SyncedTables:
    """The tables kiosks download, each declared by the domain that owns it."""

    def __init__(self) -> None:
        self._by_model: dict[type[Any], SyncedTable] = {}
        self._for_device: dict[str, ForDevice] = {}
        self._live_locations: LiveLocations | None = None

    def fan_out_with(self, live_locations: LiveLocations) -> None:
        """How to find where a row goes that every kiosk of its tenant holds."""
        self._live_locations = live_locations

    def live_locations(self, db: Session, tenant_id: uuid.UUID) -> list[uuid.UUID]:
        if self._live_locations is None:
            raise RuntimeError("no domain said where a tenant's kiosks are (fan_out_with)")
        return self._live_locations(db, tenant_id)

    def register(
        self,
        name: str,
        model: type[Any],
        *,
        serialise: Callable[[Any], dict[str, Any] | None],
        location: LocationOf = _everywhere,
        include: Callable[[Any], bool] = _always,
        visible_at: VisibleAt | None = None,
        for_device: ForDevice | None = None,
    ) -> None:
        """Make every change of ``model`` rows reach the kiosks' pull as table ``name``.

        ``model`` rows need ``tenant_id`` and ``id``. ``location`` says which location's kiosks
        hold a row (default: all of the tenant's). ``for_device`` turns a stored row into
        what the pulling kiosk receives, keyed for that kiosk (e.g. staff PIN verifiers).
        """
        if model in self._by_model:
            raise ValueError(f"{model.__name__} is synced twice")
        self._by_model[model] = SyncedTable(
            name, model, serialise, location, include, visible_at, for_device
        )
        if for_device is not None:
            self._for_device[name] = for_device

    def for_device(self, name: str) -> ForDevice | None:
        """How rows of table ``name`` are made per kiosk, if they are."""
        return self._for_device.get(name)

    def __contains__(self, model: object) -> bool:
        return model in self._by_model

    def capture(
        self, row: Any, *, deleted: bool, model: type[Any] | None = None
    ) -> Captured | None:
        """The change to send for ``row`` (a synced row), or None when kiosks need none."""
        table = self._by_model.get(model or type(row))
        if table is None or not (deleted or table.include(row)):
            return None
        data = None if deleted else table.serialise(row)
        hidden: Callable[[uuid.UUID], bool] | None = None
        if table.visible_at is not None and data is not None:
            check = table.visible_at
            hidden = lambda location_id: not check(row, location_id)  # noqa: E731
        return Captured(row.tenant_id, table.name, row.id, table.location(row), data, hidden)


@dataclass(frozen=True)
class _Touched:
    model: type[Any]
    tenant_id: uuid.UUID
    row_id: uuid.UUID


class CapturingSession(Session):
    """A session that collects, as it writes, the changes of synced rows for the kiosks;
    its factory's listeners number and store them when the root transaction commits."""

    def __init__(self, *args: Any, synced: SyncedTables, **options: Any) -> None:
        super().__init__(*args, **options)
        self.synced = synced
        #: What the open transaction has changed so far, in order.
        self.pending_changes: list[Captured | _Touched] = []
        #: Where each open savepoint began in ``pending_changes`` (undone with it).
        self.savepoint_marks: dict[SessionTransaction, int] = {}


def capturing_session_factory(
    engine: Engine, tables: SyncedTables, **options: Any
) -> sessionmaker[Session]:
    """A session factory whose sessions capture the changes of ``tables``."""
    factory: sessionmaker[Session] = sessionmaker(
        bind=engine, class_=CapturingSession, synced=tables, **options
    )
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "after_transaction_create", _savepoint_started)
    event.listen(factory, "after_soft_rollback", _rolled_back)
    event.listen(factory, "before_commit", _before_commit)
    return factory


def touch(db: Session, model: type[Any], tenant_id: uuid.UUID, row_id: uuid.UUID) -> None:
    """A synced row changed through a Core statement: send it as it is at commit."""
    if isinstance(db, CapturingSession) and model in db.synced:
        db.pending_changes.append(_Touched(model, tenant_id, row_id))


def record_change(db: Session, row: Any, *, deleted: bool = False) -> None:
    """Send ``row`` (a synced model instance) as it is now, or as a tombstone."""
    if isinstance(db, CapturingSession):
        captured = db.synced.capture(row, deleted=deleted)
        if captured is not None:
            db.pending_changes.append(captured)


def record_values(db: Session, model: type[Any], values: dict[str, Any]) -> None:
    """Send a row written with a Core ``INSERT`` of ``values``, without building a model."""
    if isinstance(db, CapturingSession):
        captured = db.synced.capture(SimpleNamespace(**values), deleted=False, model=model)
        if captured is not None:
            db.pending_changes.append(captured)


def _after_flush(db: CapturingSession, _context: Any) -> None:
    tables, pending = db.synced, db.pending_changes
    for row in db.new:
        if type(row) in tables and (captured := tables.capture(row, deleted=False)):
            pending.append(captured)
    for row in db.dirty:
        modified = type(row) in tables and db.is_modified(row, include_collections=False)
        if modified and (captured := tables.capture(row, deleted=False)):
            pending.append(captured)
    for row in db.deleted:
        if type(row) in tables and (captured := tables.capture(row, deleted=True)):
            pending.append(captured)


def _savepoint_started(db: CapturingSession, transaction: SessionTransaction) -> None:
    if transaction.nested:
        db.savepoint_marks[transaction] = len(db.pending_changes)


def _rolled_back(db: CapturingSession, transaction: SessionTransaction) -> None:
    marks = db.savepoint_marks
    if transaction.nested and transaction in marks:
        del db.pending_changes[marks.pop(transaction) :]
    elif not transaction.nested:
        db.pending_changes = []
        db.savepoint_marks = {}


def _before_commit(db: CapturingSession) -> None:
    if not db.in_nested_transaction():
        number_pending(db)


def number_pending(db: Session) -> None:
    """Number and store the changes collected so far. The commit does it; calling it earlier
    takes the location counters' locks earlier (tests use it to order transactions)."""
    db.flush()  # commit would flush next; the listener must see this flush's rows now
    if not isinstance(db, CapturingSession) or not db.pending_changes:
        return
    collected, db.pending_changes, db.savepoint_marks = db.pending_changes, [], {}
    tables = db.synced
    write_changes(db, tables, [_resolve(db, tables, item) for item in _last_touches(collected)])


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


def _resolve(db: Session, tables: SyncedTables, item: Captured | _Touched) -> Captured | None:
    if isinstance(item, Captured):
        return item
    model = item.model
    row = db.execute(
        select(model)
        .where(model.tenant_id == item.tenant_id, model.id == item.row_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    return tables.capture(row, deleted=False) if row is not None else None


def write_changes(db: Session, tables: SyncedTables, captured: Sequence[Captured | None]) -> None:
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
                everywhere[item.tenant_id] = tables.live_locations(db, item.tenant_id)
            targets = everywhere[item.tenant_id]
        for location_id in targets:
            by_location.setdefault((item.tenant_id, location_id), []).append(item)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    # A fixed locking order: two transactions fanning out to the same locations never deadlock.
    for tenant_id, location_id in sorted(by_location, key=lambda k: (str(k[0]), str(k[1]))):
        items = by_location[(tenant_id, location_id)]
        last = allocate(db, tenant_id, location_id, len(items))
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
    insert_rows(db, SyncChange, rows)


def allocate(db: Session, tenant_id: uuid.UUID, location_id: uuid.UUID, count: int) -> int:
    """Reserve ``count`` sequence numbers; returns the last. Holds the counter's row lock."""
    counter = update(LocationSyncSeq).where(
        LocationSyncSeq.tenant_id == tenant_id, LocationSyncSeq.location_id == location_id
    )
    statement = counter.values(last_seq=LocationSyncSeq.last_seq + count).returning(
        LocationSyncSeq.last_seq
    )
    last = db.execute(statement).scalar_one_or_none()
    if last is None:
        dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
        db.execute(
            dialect.insert(LocationSyncSeq)
            .values(tenant_id=tenant_id, location_id=location_id, last_seq=0, pruned_seq=0)
            .on_conflict_do_nothing()
        )
        last = db.execute(statement).scalar_one()
    return int(last)
