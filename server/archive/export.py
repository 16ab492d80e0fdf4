"""Writing a tenant's archive: a ZIP streamed as it is written, one CSV per table and the
manifest last (it holds each file's row count and SHA-256, known only once written)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from server.archive import rules, tables
from server.db.sealed import FieldSealer
from server.tenants.models import Tenant

#: The tenant's own fields the archive carries; the importing tenant keeps its own of these.
TENANT_OWN = ("id", "slug", "name", "created_at", "updated_at")


class _Pipe(io.RawIOBase):
    """A write-only, unseekable file whose bytes are taken as they come (zipfile then writes
    each entry's sizes after its data)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if '"' in value else '"' + value + '"'


def _datetime(value: datetime) -> str:
    return '"' + value.astimezone(UTC).isoformat().replace("+00:00", "Z") + '"'


#: The common kinds written without the general encoder: a million rows of a dozen columns
#: make each call count. Each gives the same text as ``rules.csv_field(rules.encode(…))``.
_FAST: dict[str, Callable[[Any], str]] = {
    "text": _text,
    "uuid": lambda value: f'"{value}"',
    "integer": lambda value: f'"{value}"',
    "boolean": lambda value: '"true"' if value else '"false"',
    "datetime": _datetime,
    "date": lambda value: f'"{value.isoformat()}"',
}


def _encoder(kind: rules.Kind) -> Callable[[Any], str]:
    """A column's value as a CSV field (sealed values are opened apart: they need the row)."""
    fast = _FAST.get(kind)
    if fast is not None:
        return lambda value: "" if value is None else fast(value)
    return lambda value: rules.csv_field(rules.encode(kind, value))


def _opener(
    table: str, column: str, sealer: FieldSealer, tenant: Tenant
) -> Callable[[Any, Any], str]:
    def opened(value: Any, row_id: Any) -> str:
        plain = sealer.open(value, context=tables.reseal_context(table, column, tenant.id, row_id))
        return rules.csv_field(rules.encode("binary", plain))

    return opened


def tenant_fields(tenant: Tenant) -> dict[str, Any]:
    table = cast(Table, Tenant.__table__)
    sealed = tables.sealed_columns()
    return {
        c.name: rules.encode(rules.kind_of(table, c.name, sealed), getattr(tenant, c.key))
        for c in table.c
    }


def stream(
    db: Session, sealer: FieldSealer, tenant: Tenant, exported_at: datetime
) -> Iterator[bytes]:
    """The archive's bytes, chunk by chunk, while rows are read a chunk at a time."""
    pipe = _Pipe()
    sealed = tables.sealed_columns()
    entities: list[dict[str, Any]] = []
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for table in tables.archived_tables():
            names = tables.columns_of(table)
            kinds = [rules.kind_of(table, name, sealed) for name in names]
            encoders = [_encoder(k) for k in kinds]
            openers = [
                (i, _opener(table.name, n, sealer, tenant))
                for i, (n, k) in enumerate(zip(names, kinds, strict=True))
                if k == "sealed"
            ]
            id_at = names.index("id") if "id" in names else None
            digest = hashlib.sha256()
            count = 0
            file = f"{table.name}.csv"
            with archive.open(file, "w", force_zip64=True) as out:
                header = rules.csv_line(names).encode()
                digest.update(header)
                out.write(header)
                copied = tables.copied_csv(db, table, tenant.id, kinds)
                for block in copied or ():
                    digest.update(block)
                    out.write(block)
                    yield pipe.take()
                if copied is not None:
                    count = copied.rows
                for rows in () if copied is not None else tables.rows_of(db, table, tenant.id):
                    lines = []
                    for row in rows:
                        fields = [f(v) for f, v in zip(encoders, row, strict=True)]
                        for at, opener in openers:
                            if row[at] is not None and id_at is not None:
                                fields[at] = opener(row[at], row[id_at])
                        lines.append(",".join(fields))
                    data = ("\n".join(lines) + "\n").encode()
                    digest.update(data)
                    out.write(data)
                    count += len(rows)
                    yield pipe.take()
            entities.append(
                {
                    "name": table.name,
                    "file": file,
                    "columns": [{"name": n, "type": k} for n, k in zip(names, kinds, strict=True)],
                    "rows": count,
                    "sha256": digest.hexdigest(),
                }
            )
            yield pipe.take()
        manifest = {
            "format": rules.FORMAT,
            "version": rules.VERSION,
            "tenant": tenant_fields(tenant),
            "exported_at": rules.encode("datetime", exported_at),
            "entities": entities,
        }
        archive.writestr(rules.MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
    yield pipe.take()
