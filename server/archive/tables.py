"""Data access for the archive: the tables it holds, read in chunks and written in bulk."""

from __future__ import annotations

import types
import uuid
from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Row, Table, exists, select
from sqlalchemy.orm import Session

from server.archive import rules
from server.db.base import Base
from server.db.bulk import insert_rows
from server.privacy.records import SEALED

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
