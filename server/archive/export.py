"""Writing a tenant's archive: a ZIP streamed as it is written, one CSV per table and the
manifest last (it holds each file's row count and SHA-256, known only once written)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
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


def _encoder(
    table: str, column: str, kind: rules.Kind, sealer: FieldSealer, tenant: Tenant
) -> Callable[[Any, Any], str]:
    """A column's value (and its row's id, which sealed values are bound to) as a CSV field."""
    if kind == "sealed":

        def opened(value: Any, row_id: Any) -> str:
            if value is None:
                return ""
            plain = sealer.open(
                value, context=tables.reseal_context(table, column, tenant.id, row_id)
            )
            return rules.csv_field(rules.encode("binary", plain))

        return opened
    if kind == "text":
        return lambda value, _id: rules.csv_field(value)
    return lambda value, _id: rules.csv_field(rules.encode(kind, value))


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
            encoders = [
                _encoder(table.name, n, k, sealer, tenant)
                for n, k in zip(names, kinds, strict=True)
            ]
            id_at = names.index("id") if "id" in names else None
            digest = hashlib.sha256()
            count = 0
            file = f"{table.name}.csv"
            with archive.open(file, "w", force_zip64=True) as out:
                header = rules.csv_line(names).encode()
                digest.update(header)
                out.write(header)
                for rows in tables.rows_of(db, table, tenant.id):
                    lines = []
                    for row in rows:
                        row_id = row[id_at] if id_at is not None else None
                        lines.append(
                            ",".join(f(v, row_id) for f, v in zip(encoders, row, strict=True))
                        )
                    data = ("\r\n".join(lines) + "\r\n").encode()
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
