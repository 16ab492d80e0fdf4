"""One file of one entity, read with its mapping and imported in the caller's transaction.

Every row is checked first and looked up with set-based queries (keys, references,
uniqueness); nothing is written until the whole file is known. A file with a bad row writes
nothing unless the manager asked to apply the good rows; a dry run never writes. Writes are
bulk inserts (a ``COPY`` on PostgreSQL) and one statement per changed row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import ColumnElement, String, any_, bindparam, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from server.db.bulk import among, chunks, insert_rows, table_of
from server.members.csv_import import CsvRefused, RowError, read_table
from server.migration_in import rules
from server.migration_in.models import MigrationKey
from server.sync.changes import record_change, record_values, touch
from server.tenants.models import Location
from shared.ids import new_id

MAX_ROWS = 200_000
LINKED = "linked to the existing member with this email"
WRITE_CHUNK = 5_000
Progress = Callable[[int, int], None]


@dataclass
class Raw:
    """A row of the file as its mapped fields."""

    line: int
    external_id: str
    values: dict[str, str]


@dataclass
class Record:
    """A good row: what its digest covers, and the ZMOS row it writes."""

    line: int
    external_id: str
    digest_of: dict[str, Any]
    row: dict[str, Any]
    #: Drawn once the row is known to be new (ids are not free to make).
    zmos_id: uuid.UUID = field(default=uuid.UUID(int=0))
    #: created, updated or unchanged (set once the keys are known)
    outcome: str = "created"
    extra: Any = None
    #: An existing ZMOS record (``zmos_id``) this row is linked to: it gets the row's
    #: source id, and only what it lacks from the row.
    linked: bool = False


@dataclass
class Context:
    db: Session
    tenant_id: uuid.UUID
    source: str
    date_format: str
    today: date
    now: datetime
    actor: uuid.UUID | None
    #: A member row whose email an existing member holds is linked to them, not refused.
    link_by_email: bool = False
    #: The ZMOS id of each external id a reference column names, per reference field.
    refs: dict[str, dict[str, uuid.UUID]] = field(default_factory=dict)
    #: This entity's keys already imported: external id → (ZMOS id, digest).
    existing: dict[str, tuple[uuid.UUID, str]] = field(default_factory=dict)
    _locations: list[Location] | None = None

    def locations(self) -> list[Location]:
        if self._locations is None:
            self._locations = list(
                self.db.execute(select(Location).where(Location.tenant_id == self.tenant_id))
                .scalars()
                .all()
            )
        return self._locations

    def ref(self, name: str, raw: Raw, reasons: list[str]) -> uuid.UUID | None:
        text = raw.values.get(name, "")
        if not text:
            reasons.append(f"{name} is missing")
            return None
        found = self.refs.get(name, {}).get(text)
        if found is None:
            what = _NOUNS.get(name, name)
            reasons.append(f"{name} {text!r} is not one of the {what} imported from {self.source}")
        return found


_NOUNS = {"member": "members", "session": "sessions", "class_type": "class types"}


class Entity(Protocol):
    name: str
    model: type[Any]

    def prepare(self, ctx: Context, raws: list[Raw]) -> tuple[list[Record], list[RowError]]:
        """Rows checked on their own and against the database (references resolved)."""
        ...

    def check_changes(self, ctx: Context, records: list[Record]) -> list[RowError]:
        """Rows refused once it is known which are new and which change (capacity, …)."""
        ...

    def update(self, ctx: Context, record: Record) -> None: ...

    def finish(self, ctx: Context, written: list[Record]) -> None:
        """After the writes: counters and copies kept in step."""
        ...


@dataclass
class ImportReport:
    entity: str
    source: str
    dry_run: bool
    #: True when the rows were written (not a dry run, and no bad row unless asked).
    applied: bool
    counts: dict[str, int]
    rows: list[rules.Outcome]


def run(
    ctx: Context,
    entity: Entity,
    data: bytes,
    mapping: dict[str, str],
    *,
    dry_run: bool,
    apply_good_rows: bool,
    progress: Progress | None = None,
) -> ImportReport:
    """Raises :class:`CsvRefused` or :class:`rules.MappingRefused` for a file or mapping
    that cannot be used (nothing is read)."""
    header, table = read_table(data, max_rows=MAX_ROWS, example=",".join(rules.FIELDS[entity.name]))
    columns = rules.check_mapping(entity.name, [h for h in header], mapping)
    total = len(table)
    report = progress or (lambda done, total: None)
    raws, errors = _raws(table, columns)
    _resolve_refs(ctx, entity.name, raws)
    ctx.existing = _keys(ctx, entity.name, [r.external_id for r in raws])
    records, refused = entity.prepare(ctx, raws)
    errors += refused
    for record in records:
        known = ctx.existing.get(record.external_id)
        if known is not None:
            record.zmos_id = known[0]
            same = known[1] == rules.digest(record.digest_of)
            record.outcome = "unchanged" if same else "updated"
        elif record.linked:
            record.outcome = "updated"
        else:
            record.zmos_id = new_id()
    errors += entity.check_changes(ctx, records)
    refused_lines = {e.line for e in errors}
    records = [r for r in records if r.line not in refused_lines]
    report(total // 2, total)
    applied = not dry_run and (apply_good_rows or not errors)
    if applied:
        _write(ctx, entity, records, lambda done: report(total // 2 + done // 2, total))
    report(total, total)
    ids = {r.line: r.external_id for r in raws}
    outcomes = [
        rules.Outcome(r.line, r.external_id, r.outcome, LINKED if r.linked else "") for r in records
    ] + [rules.Outcome(e.line, ids.get(e.line, ""), "error", e.reason) for e in errors]
    outcomes.sort(key=lambda o: o.line)
    counts = {name: 0 for name in ("created", "updated", "unchanged", "error")}
    for outcome in outcomes:
        counts[outcome.outcome] += 1
    return ImportReport(entity.name, ctx.source, dry_run, applied, counts, outcomes)


def _raws(
    table: list[tuple[int, list[str]] | RowError], columns: dict[str, int]
) -> tuple[list[Raw], list[RowError]]:
    raws: list[Raw] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for item in table:
        if isinstance(item, RowError):
            errors.append(item)
            continue
        line, fields = item
        values = {name: fields[index].strip() for name, index in columns.items()}
        external = values["external_id"]
        if not external:
            errors.append(RowError(line, "external_id is missing"))
        elif len(external) > 100:
            errors.append(RowError(line, "external_id is longer than 100 characters"))
        elif external in seen:
            errors.append(
                RowError(line, f"external_id {external!r} is already on line {seen[external]}")
            )
        else:
            seen[external] = line
            raws.append(Raw(line, external, values))
    return raws, errors


def _keys(ctx: Context, entity: str, externals: list[str]) -> dict[str, tuple[uuid.UUID, str]]:
    found: dict[str, tuple[uuid.UUID, str]] = {}
    unique = list(dict.fromkeys(externals))
    for start in range(0, len(unique), KEY_CHUNK):
        rows = ctx.db.execute(
            select(MigrationKey.external_id, MigrationKey.zmos_id, MigrationKey.digest).where(
                MigrationKey.tenant_id == ctx.tenant_id,
                MigrationKey.source_system == ctx.source,
                MigrationKey.entity == entity,
                texts_among(ctx.db, MigrationKey.external_id, unique[start : start + KEY_CHUNK]),
            )
        )
        found.update({external: (zmos, digest) for external, zmos, digest in rows})
    return found


#: External ids looked up at once (one array parameter on PostgreSQL).
KEY_CHUNK = 10_000


def texts_among(db: Session, column: Any, values: list[str]) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL as ``= ANY(array)``: a prepared statement's
    generic plan of a long ``IN`` list scans the tenant's whole key range."""
    if db.get_bind().dialect.name == "postgresql":
        array = bindparam(None, values, type_=postgresql.ARRAY(String))
        return cast(ColumnElement[bool], column == any_(array))
    return cast(ColumnElement[bool], column.in_(values))


def _resolve_refs(ctx: Context, entity: str, raws: list[Raw]) -> None:
    for name, target in rules.REFERENCES.get(entity, {}).items():
        wanted = [v for r in raws if (v := r.values.get(name))]
        ctx.refs[name] = {ext: zmos for ext, (zmos, _) in _keys(ctx, target, wanted).items()}


def _write(
    ctx: Context, entity: Entity, records: list[Record], progress: Callable[[int], None]
) -> None:
    created = [r for r in records if r.outcome == "created"]
    changed = [r for r in records if r.outcome == "updated"]
    # Columns the file does not fill take their model's plain default (a flag's False), else
    # NULL: one row shape for every row, as a COPY needs.
    columns = {
        c.key: c.default.arg if isinstance(c.default, ScalarElementColumnDefault) else None
        for c in table_of(entity.model).columns
    }
    done = 0
    for start in range(0, len(created), WRITE_CHUNK):
        part = created[start : start + WRITE_CHUNK]
        rows = [
            columns
            | {"created_at": ctx.now, "updated_at": ctx.now}
            | r.row
            | {"tenant_id": ctx.tenant_id, "id": r.zmos_id}
            for r in part
        ]
        insert_rows(ctx.db, entity.model, rows)
        _send_to_kiosks(ctx, entity.model, rows)
        insert_rows(ctx.db, MigrationKey, [_key(ctx, entity.name, r) for r in part])
        done += len(part)
        progress(done)
    insert_rows(ctx.db, MigrationKey, [_key(ctx, entity.name, r) for r in changed if r.linked])
    for record in changed:
        entity.update(ctx, record)
        touch(ctx.db, entity.model, ctx.tenant_id, record.zmos_id)
        if record.linked:
            continue
        ctx.db.execute(
            update(MigrationKey)
            .where(
                MigrationKey.tenant_id == ctx.tenant_id,
                MigrationKey.source_system == ctx.source,
                MigrationKey.entity == entity.name,
                MigrationKey.external_id == record.external_id,
            )
            .values(digest=rules.digest(record.digest_of), imported_at=ctx.now)
        )
    entity.finish(ctx, created + changed)


#: Rows whose kiosk shape is read through the ORM session (a session's type name, a
#: booking's location): they are read back at commit, and only those recent enough to
#: travel to kiosks at all (history does not).
_READ_BACK = {"class_sessions", "bookings"}
_RECENT = timedelta(days=7)


def _send_to_kiosks(ctx: Context, model: type[Any], rows: list[dict[str, Any]]) -> None:
    if table_of(model).name not in _READ_BACK:
        for row in rows:
            record_values(ctx.db, model, row)
        return
    since = ctx.now - _RECENT
    recent = [row["id"] for row in rows if row["starts_at"] >= since]
    for part in chunks(recent):
        loaded = ctx.db.execute(
            select(model).where(model.tenant_id == ctx.tenant_id, among(ctx.db, model.id, part))
        ).scalars()
        for found in loaded:
            record_change(ctx.db, found)


def _key(ctx: Context, entity: str, record: Record) -> dict[str, Any]:
    return {
        "tenant_id": ctx.tenant_id,
        "source_system": ctx.source,
        "entity": entity,
        "external_id": record.external_id,
        "zmos_id": record.zmos_id,
        "digest": rules.digest(record.digest_of),
        "imported_at": ctx.now,
    }


def rows_by_id(
    ctx: Context, model: type[Any], ids: list[uuid.UUID], *columns: Any
) -> dict[uuid.UUID, Any]:
    """``columns`` of the tenant's rows of ``model`` with these ids, by id."""
    found: dict[uuid.UUID, Any] = {}
    for part in chunks(ids):
        rows = ctx.db.execute(
            select(model.id, *columns).where(
                model.tenant_id == ctx.tenant_id, among(ctx.db, model.id, part)
            )
        )
        found.update({row[0]: row for row in rows})
    return found


__all__ = ["Context", "CsvRefused", "Entity", "ImportReport", "Raw", "Record", "run"]
