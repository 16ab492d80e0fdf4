"""Turns every ORM insert, update and delete of a flush into audit entries, written in the
same transaction with one multi-row ``INSERT`` (a savepoint rolled back takes its entries
with it). Core bulk inserts (``server.db.bulk.insert_rows``) are summarised per batch, and
Core ``INSERT``/``UPDATE``/``DELETE`` statements run through the session (which no flush
sees) are recorded one entry per statement by a ``do_orm_execute`` hook.

Bootstrap attaches a :class:`AuditRecorder` to the server's session factories; the actor
comes from :mod:`server.db.actor`.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, event, insert, inspect
from sqlalchemy.orm import InstanceState, Mapper, ORMExecuteState, Session, sessionmaker
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList

from server.audit import rules
from server.audit.models import AuditEntry
from server.db.actor import BULK_OBSERVER_KEY, OBSERVED_OPTION, Actor, current_actor
from shared.clock import utcnow
from shared.ids import new_id

_TABLE: Table = AuditEntry.__table__  # type: ignore[assignment]
#: Built once: SQLAlchemy caches its compiled form. Executed with a list of rows, it is one
#: multi-row INSERT on PostgreSQL ("insertmanyvalues") and SQLite's C executemany loop.
_INSERT = insert(_TABLE)


@dataclass(frozen=True)
class _Shape:
    """What the listener needs of a mapped class, worked out once per class."""

    entity: str
    audited: bool
    columns: frozenset[str]
    #: Attribute keys of the primary key, the tenant left out.
    key: tuple[str, ...]
    #: Where the row's tenant is (``id`` for the tenants table itself).
    tenant_key: str | None


def _shape_of(mapper: Mapper[Any]) -> _Shape:
    table = mapper.local_table
    name = getattr(table, "name", str(table))
    keys = tuple(mapper.get_property_by_column(c).key for c in mapper.primary_key)
    columns = frozenset(attr.key for attr in mapper.column_attrs)
    tenant_key = "id" if name == "tenants" else ("tenant_id" if "tenant_id" in columns else None)
    own_key = tuple(k for k in keys if k != "tenant_id") or keys
    return _Shape(name, name not in rules.NOT_AUDITED, columns, own_key, tenant_key)


def actor_values(actor: Actor) -> dict[str, Any]:
    return {
        "actor_kind": actor.kind,
        "actor_id": actor.id,
        "actor_role": actor.role,
        "actor_name": actor.name,
        "ip": actor.ip,
    }


def entry(
    actor: Actor,
    at: datetime,
    tenant_id: uuid.UUID,
    action: str,
    entity: str,
    entity_id: str | None,
    fields: Sequence[str] = (),
    count: int | None = None,
) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "id": new_id(),
        "at": at,
        **actor_values(actor),
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "fields": sorted(fields),
        "count": count,
    }


@dataclass(frozen=True)
class _TableShape:
    """What the statement hook needs of a table, worked out once per table."""

    entity: str
    audited: bool
    #: Column names of the primary key, the tenant left out.
    key: tuple[str, ...]
    tenant_key: str | None


def _table_shape(table: Any) -> _TableShape:
    name = str(getattr(table, "name", table))
    columns = {c.name for c in getattr(table, "columns", ())}
    keys = tuple(c.name for c in getattr(table, "primary_key", ()))
    own_key = tuple(k for k in keys if k != "tenant_id") or keys
    tenant_key = "id" if name == "tenants" else ("tenant_id" if "tenant_id" in columns else None)
    return _TableShape(name, name not in rules.NOT_AUDITED, own_key, tenant_key)


def _column_name(key: Any) -> str:
    return str(getattr(key, "name", None) or getattr(key, "key", None) or key)


def where_equalities(where: Any, parameters: Any = None) -> dict[str, Any]:
    """``column = value`` terms ANDed at the top of a ``WHERE``, by column name: what names a
    row's key or tenant. Anything else (``IN``, ``OR``, comparisons) names no single row. A
    named ``bindparam`` without a value takes it from the execution's ``parameters``."""
    given = parameters if isinstance(parameters, dict) else {}
    if where is None:
        return {}
    is_and = isinstance(where, BooleanClauseList) and where.operator is operators.and_
    found: dict[str, Any] = {}
    for term in where.clauses if is_and else (where,):
        if not isinstance(term, BinaryExpression) or term.operator is not operators.eq:
            continue
        left, right = term.left, term.right
        if isinstance(left, BindParameter):
            left, right = right, left
        if isinstance(right, BindParameter) and getattr(left, "table", None) is not None:
            value = right.effective_value
            found[_column_name(left)] = given.get(right.key) if value is None else value
    return found


def _value(value: Any) -> Any:
    return value.effective_value if isinstance(value, BindParameter) else value


def _set_names(statement: Any, parameters: Any) -> list[str]:
    """Names of the columns a DML statement writes (from ``.values()`` or its parameters)."""
    names = [_column_name(k) for k in (getattr(statement, "_values", None) or {})]
    names += [_column_name(k) for k, _ in getattr(statement, "_ordered_values", None) or ()]
    multi = getattr(statement, "_multi_values", None) or ()
    if multi and multi[0] and isinstance(multi[0][0], dict):
        names += [_column_name(k) for k in multi[0][0]]
    first = parameters[0] if isinstance(parameters, list) and parameters else parameters
    if isinstance(first, dict):
        # Only the table's columns: a named bindparam of the WHERE is no column written.
        columns = {c.name for c in getattr(getattr(statement, "table", None), "columns", ())}
        names += [str(k) for k in first if str(k) in columns]
    return sorted(set(names))


class AuditRecorder:
    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self._clock = clock
        self._shapes: dict[type[Any], _Shape] = {}
        self._tables: dict[str, _TableShape] = {}

    def attach(self, factory: sessionmaker[Session]) -> None:
        """Record what the sessions of ``factory`` write."""
        event.listen(factory, "after_flush", self._after_flush)
        event.listen(factory, "do_orm_execute", self._statement)
        info = dict(factory.kw.get("info") or {})
        info[BULK_OBSERVER_KEY] = self.bulk
        factory.configure(info=info)

    def _shape(self, state: InstanceState[Any]) -> _Shape:
        cls = state.class_
        shape = self._shapes.get(cls)
        if shape is None:
            shape = self._shapes[cls] = _shape_of(state.mapper)
        return shape

    def _row(
        self, state: InstanceState[Any], action: str, actor: Actor, at: datetime
    ) -> dict[str, Any] | None:
        shape = self._shape(state)
        if not shape.audited:
            return None
        values = state.dict
        tenant_id = values.get(shape.tenant_key) if shape.tenant_key else None
        tenant_id = tenant_id or actor.tenant_id
        if tenant_id is None:
            return None
        if action == rules.CREATE:
            fields: list[str] = [k for k in shape.columns if values.get(k) is not None]
        elif action == rules.UPDATE:
            changed = state.committed_state
            fields = [
                k for k in changed if k in shape.columns and state.attrs[k].history.has_changes()
            ]
            if not fields:
                return None
        else:
            fields = []
        key = rules.entity_key(tuple(values.get(k) for k in shape.key))
        return entry(actor, at, tenant_id, action, shape.entity, key, fields)

    def _after_flush(self, db: Session, _context: Any) -> None:
        actor, at = current_actor(), self._clock()
        rows: list[dict[str, Any]] = []
        for action, objects in (
            (rules.CREATE, db.new),
            (rules.UPDATE, db.dirty),
            (rules.DELETE, db.deleted),
        ):
            for obj in objects:
                row = self._row(inspect(obj), action, actor, at)
                if row is not None:
                    rows.append(row)
        if rows:
            # One statement for the flush: a multi-row VALUES, not a round trip per row.
            db.connection().execute(_INSERT, rows[0] if len(rows) == 1 else rows)

    def _statement(self, state: ORMExecuteState) -> Any:
        """A Core (or ORM-enabled) ``INSERT``, ``UPDATE`` or ``DELETE`` run by the session:
        one entry, written after it ran (the count is its ``rowcount``)."""
        statement = state.statement
        # Every SELECT passes here: one attribute read and out.
        if not statement.is_dml or state.execution_options.get(OBSERVED_OPTION):
            return None
        table = getattr(statement, "table", None)
        name = str(getattr(table, "name", ""))
        shape = self._tables.get(name)
        if shape is None:
            shape = self._tables[name] = _table_shape(table)
        if not shape.audited:
            return None
        result = state.invoke_statement()
        self._record_statement(state, shape, result)
        return result

    def _record_statement(self, state: ORMExecuteState, shape: _TableShape, result: Any) -> None:
        statement, parameters = state.statement, cast(Any, state.parameters)
        actor = current_actor()
        if state.is_insert:
            rows = parameters if isinstance(parameters, list) else None
            multi = getattr(statement, "_multi_values", None) or ()
            if rows is not None and len(rows) > 1:
                self.bulk(state.session, shape.entity, rows)
                return
            values = dict(rows[0]) if rows else dict(parameters or {})
            values |= {
                _column_name(k): _value(v)
                for k, v in (getattr(statement, "_values", None) or {}).items()
            }
            if multi and len(multi[0]) > 1:
                action, key, count = rules.BULK_CREATE, None, len(multi[0])
            else:
                action, count = rules.CREATE, None
                parts = tuple(values.get(k) for k in shape.key)
                key = rules.entity_key(parts) if all(p is not None for p in parts) else None
                if key is None:
                    count = 1
            named = values
        else:
            action = rules.UPDATE if state.is_update else rules.DELETE
            named = where_equalities(getattr(statement, "whereclause", None), parameters)
            rowcount = getattr(result, "rowcount", None)
            if rowcount == 0:
                return  # nothing changed
            parts = tuple(named.get(k) for k in shape.key)
            if all(p is not None for p in parts):
                key, count = rules.entity_key(parts), None
            else:
                key, count = (
                    None,
                    (rowcount if isinstance(rowcount, int) and rowcount > 0 else None),
                )
        tenant_id = named.get(shape.tenant_key) if shape.tenant_key else None
        tenant_id = tenant_id if isinstance(tenant_id, uuid.UUID) else actor.tenant_id
        if tenant_id is None:
            return  # a statement of no one tenant, by no tenant's actor (a job's sweep)
        fields = _set_names(statement, parameters) if action != rules.DELETE else []
        row = entry(actor, self._clock(), tenant_id, action, shape.entity, key, fields, count)
        state.session.connection().execute(_INSERT, [row])

    def bulk(self, db: Session, table: str, rows: Sequence[dict[str, Any]]) -> None:
        """One summary entry per tenant for a batch written with a Core insert."""
        if table in rules.NOT_AUDITED:
            return
        actor, at = current_actor(), self._clock()
        tenants = Counter(row.get("tenant_id") or actor.tenant_id for row in rows)
        entries = [
            entry(actor, at, tenant_id, rules.BULK_CREATE, table, None, list(rows[0]), count)
            for tenant_id, count in tenants.items()
            if tenant_id is not None
        ]
        if entries:
            db.connection().execute(_INSERT, entries)


def record_action(
    db: Session,
    *,
    tenant_id: uuid.UUID,
    action: str,
    entity: str,
    entity_id: uuid.UUID | str | None,
    fields: Sequence[str] = (),
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """A named action of a use case ("erasure", "sign-in" …), beside the rows it writes."""
    key = None if entity_id is None else str(entity_id)
    row = entry(current_actor(), clock(), tenant_id, action, entity, key, fields)
    db.connection().execute(_INSERT, [row])
