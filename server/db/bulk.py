"""Many rows at once: inserted with one executemany (a ``COPY`` on PostgreSQL), or looked up by
long lists of ids."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, cast

from sqlalchemy import JSON, ColumnElement, Dialect, Table, Uuid, any_, bindparam, insert
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from server.db.actor import OBSERVED_OPTION, observe_bulk


def table_of(model: type[Any]) -> Table:
    """The model's table, for fast Core ``INSERT``s of many rows."""
    return cast(Table, model.__table__)


def insert_rows(db: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows of ``model`` (dicts with the same keys) in the open transaction.

    On PostgreSQL an executemany makes psycopg send one ``INSERT`` per row; the rows go as
    one ``COPY`` instead, formatted by psycopg's C code. SQLite's executemany is a C loop
    already. Database errors come out as SQLAlchemy's, as from ``db.execute``.
    """
    if not rows:
        return
    table = table_of(model)
    observe_bulk(db, table.name, rows)
    dialect = db.get_bind().dialect
    defaulted = any(c.default is not None and c.key not in rows[0] for c in table.columns)
    if dialect.name != "postgresql" or defaulted or len(rows) == 1:
        db.execute(insert(table), rows, execution_options={OBSERVED_OPTION: True})
        return
    _copy(db, table, list(rows[0]), rows)


def _copy(db: Session, table: Table, keys: list[str], rows: Sequence[dict[str, Any]]) -> None:
    import psycopg  # only ever with PostgreSQL

    dialect = db.get_bind().dialect
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
    raw = db.connection().connection.driver_connection
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


#: Most ids in one ``IN (…)`` list.
CHUNK = 500


def chunks(ids: Iterable[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    """The distinct ``ids`` in their order, at most :data:`CHUNK` at a time."""
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def among(db: Session, column: Any, ids: list[uuid.UUID]) -> ColumnElement[bool]:
    """``column IN ids``. On PostgreSQL as ``= ANY(array)``: psycopg prepares a statement it
    runs often, and the generic plan of a long ``IN`` list of parameters may scan the whole
    tenant's index range instead of looking each id up."""
    if db.get_bind().dialect.name == "postgresql":
        array = bindparam(None, ids, type_=postgresql.ARRAY(Uuid))
        return cast(ColumnElement[bool], column == any_(array))
    return cast(ColumnElement[bool], column.in_(ids))
