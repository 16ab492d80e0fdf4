"""Data access for the archive: the tables it holds, read in chunks and written in bulk."""

from __future__ import annotations

import types
import uuid
from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Row, Table, exists, select, text
from sqlalchemy.orm import Session

from server.archive import rules
from server.db.base import Base
from server.db.bulk import insert_rows
from server.privacy.records import SEALED

_BLOCK = 1 << 20

#: Rows fetched (and written) at a time: the server keeps this many in memory per table.
CHUNK_ROWS = 5000


def archived_tables() -> list[Table]:
    """Every tenant-scoped table the archive holds, parents before children."""
    return [
        t
        for t in Base.metadata.sorted_tables
        if "tenant_id" in t.c and t.name not in rules.EXCLUDED
    ]


def sealed_columns() -> frozenset[tuple[str, str]]:
    return frozenset(SEALED)


def reseal_context(table: str, column: str, tenant_id: uuid.UUID, row_id: uuid.UUID) -> str:
    """What a sealed value is bound to (its table, tenant and row)."""
    return SEALED[(table, column)].context(tenant_id, row_id)


def columns_of(table: Table) -> list[str]:
    return [c.name for c in table.c if c.name != "tenant_id"]


def rows_of(db: Session, table: Table, tenant_id: uuid.UUID) -> Iterator[Sequence[Row[Any]]]:
    """The tenant's rows of ``table`` in key order, chunk by chunk (a server-side cursor on
    PostgreSQL), without ``tenant_id``."""
    columns = [table.c[name] for name in columns_of(table)]
    order = [c for c in table.primary_key.columns if c.name != "tenant_id"]
    statement = (
        select(*columns)
        .where(table.c.tenant_id == tenant_id)
        .order_by(*order)
        .execution_options(yield_per=CHUNK_ROWS)
    )
    yield from db.execute(statement).partitions(CHUNK_ROWS)


def holds_data(db: Session, tenant_id: uuid.UUID) -> list[str]:
    """The archived tables holding any row of the tenant."""
    return [
        t.name
        for t in archived_tables()
        if db.execute(select(exists().where(t.c.tenant_id == tenant_id))).scalar()
    ]


def insert(db: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    # insert_rows reads only the model's __table__.
    insert_rows(db, cast(type[Any], types.SimpleNamespace(__table__=table)), rows)


def _pg_text(quoted: str, kind: rules.Kind) -> str:
    """A column as PostgreSQL writes it in the archive's text (ISO 8601 UTC, true/false,
    base64 on one line)."""
    if kind == "datetime":
        return f"""to_char({quoted} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
    if kind == "boolean":
        return f"CASE WHEN {quoted} THEN 'true' WHEN NOT {quoted} THEN 'false' END"
    if kind == "binary":
        return f"translate(encode({quoted}, 'base64'), E'\\n', '')"
    if kind == "date":
        return f"to_char({quoted}, 'YYYY-MM-DD')"
    return f"{quoted}::text"


class Copied:
    """CSV blocks as PostgreSQL writes them; ``rows`` once they are all read."""

    def __init__(self, raw: Any, statement: str) -> None:
        self._raw, self._statement = raw, statement
        self.rows = 0

    def __iter__(self) -> Iterator[bytes]:
        # libpq hands COPY data over a row at a time: gathered into blocks of about 1 MB,
        # so the checksum, the compressor and the response see few large writes.
        with self._raw.cursor() as cursor:
            with cursor.copy(self._statement) as copy:
                gathered: list[bytes] = []
                size = 0
                for block in copy:
                    gathered.append(bytes(block))
                    size += len(block)
                    if size >= _BLOCK:
                        yield b"".join(gathered)
                        gathered, size = [], 0
                if gathered:
                    yield b"".join(gathered)
            self.rows = cursor.rowcount


def copied_csv(
    db: Session, table: Table, tenant_id: uuid.UUID, kinds: list[rules.Kind]
) -> Copied | None:
    """On PostgreSQL, the tenant's rows of ``table`` as archive CSV written by the server
    itself (``COPY … TO STDOUT``, every value quoted, NULL an empty field): Python's
    per-value work was most of an export's time. None elsewhere, or for a table with
    sealed values (they are opened here, row by row)."""
    if db.get_bind().dialect.name != "postgresql" or "sealed" in kinds:
        return None
    quote = db.get_bind().dialect.identifier_preparer.quote
    names = columns_of(table)
    fields = ", ".join(_pg_text(quote(n), k) for n, k in zip(names, kinds, strict=True))
    keys = [quote(c.name) for c in table.primary_key.columns if c.name != "tenant_id"]
    order = f" ORDER BY {', '.join(keys)}" if keys else ""
    statement = (
        f"COPY (SELECT {fields} FROM {quote(table.name)} "
        f"WHERE tenant_id = '{uuid.UUID(str(tenant_id))}'::uuid{order}) "
        "TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *, NULL '')"
    )
    raw = db.connection().connection.driver_connection
    assert raw is not None
    return Copied(raw, statement)


def repeatable_read(db: Session) -> None:
    """One snapshot for the whole export on PostgreSQL (each statement would otherwise see
    the data as of its own start); the first statement of the transaction."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
