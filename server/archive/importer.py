"""Reading an archive back into an empty tenant: the manifest checked (format, version,
every file's SHA-256) before anything is written, then the tables inserted parents first,
ids kept, under the new tenant's id, in the caller's one transaction."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from server.archive import rules, tables
from server.archive.export import TENANT_OWN
from server.db.sealed import FieldSealer
from server.tenants.models import Tenant

_INSERT_ROWS = 2000


@dataclass(frozen=True)
class Entity:
    table: Table
    file: str
    columns: list[tuple[str, rules.Kind]]
    rows: int
    sha256: str


@dataclass(frozen=True)
class Archive:
    zip: zipfile.ZipFile
    tenant: dict[str, Any]
    entities: list[Entity]


def _manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        document = json.loads(archive.read(rules.MANIFEST))
    except KeyError:
        raise rules.ArchiveError("no manifest.json: not a ZMOS tenant archive") from None
    except ValueError:
        raise rules.ArchiveError("manifest.json is not JSON") from None
    if not isinstance(document, dict) or document.get("format") != rules.FORMAT:
        raise rules.ArchiveError(f"manifest.json does not name the format {rules.FORMAT!r}")
    if document.get("version") != rules.VERSION:
        raise rules.ArchiveError(
            f"archive version {document.get('version')!r}; "
            f"this server reads version {rules.VERSION}"
        )
    return document


def _entity(raw: Any, known: dict[str, Table], sealed: frozenset[tuple[str, str]]) -> Entity:
    try:
        name, file, rows, sha256 = raw["name"], raw["file"], int(raw["rows"]), str(raw["sha256"])
        columns = [(str(c["name"]), str(c["type"])) for c in raw["columns"]]
    except (KeyError, TypeError, ValueError):
        raise rules.ArchiveError(
            "manifest.json: an entity without name, file, columns, rows or sha256"
        ) from None
    table = known.get(name)
    if table is None:
        raise rules.ArchiveError(f"manifest.json names an unknown table {name!r}")
    for column, kind in columns:
        if column not in table.c or column == "tenant_id":
            raise rules.ArchiveError(f"{file}: unknown column {column!r}")
        if kind != rules.kind_of(table, column, sealed):
            raise rules.ArchiveError(f"{file}: column {column!r} is {kind!r} here")
    given = {c for c, _ in columns}
    for required in table.c:
        if required.name in given or required.name == "tenant_id":
            continue
        if not required.nullable and required.default is None and required.server_default is None:
            raise rules.ArchiveError(f"{file}: the required column {required.name!r} is missing")
    return Entity(table, file, columns, rows, sha256)  # type: ignore[arg-type]


def open_archive(file: IO[bytes]) -> Archive:
    """The archive, checked: a ZIP whose manifest this server reads and whose every file
    matches its checksum (ArchiveError otherwise, before anything is written)."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError):
        raise rules.ArchiveError("not a ZIP file") from None
    document = _manifest(archive)
    known = {t.name: t for t in tables.archived_tables()}
    sealed = tables.sealed_columns()
    raw_entities = document.get("entities")
    if not isinstance(raw_entities, list):
        raise rules.ArchiveError("manifest.json has no list of entities")
    entities = [_entity(raw, known, sealed) for raw in raw_entities]
    if len({e.table.name for e in entities}) != len(entities):
        raise rules.ArchiveError("manifest.json names a table twice")
    for entity in entities:
        digest = hashlib.sha256()
        try:
            with archive.open(entity.file) as stored:
                while chunk := stored.read(1 << 20):
                    digest.update(chunk)
        except KeyError:
            raise rules.ArchiveError(f"{entity.file} is missing from the archive") from None
        except (zipfile.BadZipFile, OSError):
            raise rules.ArchiveError(f"{entity.file} is damaged") from None
        if digest.hexdigest() != entity.sha256:
            raise rules.ArchiveError(f"{entity.file} does not match its SHA-256 in the manifest")
    tenant = document.get("tenant")
    order = {t.name: i for i, t in enumerate(tables.archived_tables())}
    return Archive(
        archive,
        tenant if isinstance(tenant, dict) else {},
        sorted(entities, key=lambda e: order[e.table.name]),
    )


def _records(archive: zipfile.ZipFile, entity: Entity) -> Iterator[list[str | None]]:
    with archive.open(entity.file) as stored:
        lines = io.TextIOWrapper(stored, encoding="utf-8", newline="")
        records = rules.csv_records(lines)
        header = next(records, None)
        if header != [name for name, _ in entity.columns]:
            raise rules.ArchiveError(f"{entity.file}: its header is not the manifest's columns")
        yield from records


def apply_tenant_fields(target: Tenant, fields: dict[str, Any]) -> None:
    """The archived tenant's settings (currency, day start …), bar its id, slug and name."""
    table = cast(Table, Tenant.__table__)
    sealed = tables.sealed_columns()
    for column in table.c:
        if column.name in TENANT_OWN or column.name not in fields:
            continue
        value = rules.decode(rules.kind_of(table, column.name, sealed), fields[column.name])
        if value is not None or column.nullable:
            setattr(target, column.key, value)


def load(
    db: Session, sealer: FieldSealer, archive: Archive, tenant_id: uuid.UUID
) -> dict[str, int]:
    """Insert every entity's rows under ``tenant_id``; the rows inserted, by table."""
    done: dict[str, int] = {}
    for entity in archive.entities:
        names = [name for name, _ in entity.columns]
        kinds = [kind for _, kind in entity.columns]
        id_at = names.index("id") if "id" in names else None
        batch: list[dict[str, Any]] = []
        count = 0
        for number, record in enumerate(_records(archive.zip, entity), start=2):
            if len(record) != len(names):
                raise rules.ArchiveError(
                    f"{entity.file} line {number}: {len(record)} values for {len(names)} columns"
                )
            row: dict[str, Any] = {"tenant_id": tenant_id}
            for name, kind, text in zip(names, kinds, record, strict=True):
                value = rules.decode(kind, text)
                if kind == "sealed" and value is not None:
                    if id_at is None:
                        raise rules.ArchiveError(f"{entity.file}: sealed values need an id column")
                    row_id = rules.decode("uuid", record[id_at])
                    value = sealer.seal(
                        value,
                        context=tables.reseal_context(entity.table.name, name, tenant_id, row_id),
                    )
                row[name] = value
            batch.append(row)
            count += 1
            if len(batch) >= _INSERT_ROWS:
                tables.insert(db, entity.table, batch)
                batch = []
        tables.insert(db, entity.table, batch)
        if count != entity.rows:
            raise rules.ArchiveError(
                f"{entity.file}: {count} rows, the manifest says {entity.rows}"
            )
        done[entity.table.name] = count
    return done
