"""Every row naming a member, found through the schema itself (every table with a
``member_id``, and the tables hanging off those), so a new table is exported without
anyone remembering to add it here."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from server.coaching.models import contact_context
from server.db.base import Base
from server.db.sealed import FieldSealer
from server.journeys.models import assessment_context
from server.notices.models import staff_channel_context
from server.privacy import rules
from server.screening.rules import context as screening_context


def _screening(table: str, column: str) -> Callable[[uuid.UUID, uuid.UUID], str]:
    return lambda tenant_id, row_id: screening_context(table, column, tenant_id, row_id)


@dataclass(frozen=True)
class Sealed:
    context: Callable[[uuid.UUID, uuid.UUID], str]
    json: bool = False


#: Health data sealed at rest, and what each value is bound to: the export opens them.
SEALED: dict[tuple[str, str], Sealed] = {
    ("screenings", "answers"): Sealed(_screening("screenings", "answers"), json=True),
    ("screening_clearances", "evidence"): Sealed(_screening("screening_clearances", "evidence")),
    ("risk_flags", "flag"): Sealed(_screening("risk_flags", "flag")),
    ("risk_flags", "note"): Sealed(_screening("risk_flags", "note")),
    ("coach_contacts", "sealed_text"): Sealed(contact_context),
    ("journey_assessment_results", "sealed_value"): Sealed(assessment_context, json=True),
    # Not health data, but a secret sealed to its row all the same (a staff webhook URL).
    ("staff_channels", "sealed_url"): Sealed(staff_channel_context),
}


def member_tables() -> list[Table]:
    """Every table with a ``member_id`` column, by name."""
    return sorted(
        (t for t in Base.metadata.tables.values() if "member_id" in t.c), key=lambda t: t.name
    )


def child_links() -> list[tuple[Table, str, Table]]:
    """(child, its column, parent): tables reached through a member table's ``id``."""
    parents = {t.name: t for t in member_tables()}
    links = []
    for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
        if "member_id" in table.c:
            continue
        for fk in table.foreign_key_constraints:
            parent = fk.referred_table
            columns = [c for c in fk.column_keys if c != "tenant_id"]
            if parent.name in parents and len(columns) == 1:
                links.append((table, columns[0], parent))
    return links


def _value(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _row(
    table: Table, row: dict[str, Any], tenant_id: uuid.UUID, sealer: FieldSealer
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name in rules.SECRET_COLUMNS or name == "tenant_id":
            continue
        sealed = SEALED.get((table.name, name))
        if sealed is not None and value is not None:
            context = sealed.context(tenant_id, row["id"])
            value = (
                sealer.open_json(value, context=context)
                if sealed.json
                else sealer.open(value, context=context).decode()
            )
        out[name] = _value(value)
    return out


def _rows(db: Session, table: Table, where: Any) -> Iterator[dict[str, Any]]:
    order = [c for c in table.primary_key.columns]
    for row in db.execute(select(table).where(where).order_by(*order)).mappings():
        yield dict(row)


def gather(
    db: Session, sealer: FieldSealer, tenant_id: uuid.UUID, member_id: uuid.UUID
) -> dict[str, list[dict[str, Any]]]:
    """The member's rows of every table naming them, health data opened, secrets left out."""
    found: dict[str, list[dict[str, Any]]] = {}
    ids: dict[str, list[Any]] = {}
    members = Base.metadata.tables["members"]
    raw = list(_rows(db, members, (members.c.tenant_id == tenant_id) & (members.c.id == member_id)))
    found["members"] = [_row(members, r, tenant_id, sealer) for r in raw]
    email = raw[0]["email"] if raw else None
    for table in member_tables():
        where = (table.c.tenant_id == tenant_id) & (table.c.member_id == member_id)
        rows = list(_rows(db, table, where))
        found[table.name] = [_row(table, r, tenant_id, sealer) for r in rows]
        if "id" in table.c:
            ids[table.name] = [r["id"] for r in rows]
    for child, column, parent in child_links():
        parent_ids = ids.get(parent.name, [])
        rows = (
            list(
                _rows(
                    db,
                    child,
                    (child.c.tenant_id == tenant_id) & (child.c[column].in_(parent_ids)),
                )
            )
            if parent_ids
            else []
        )
        found.setdefault(child.name, []).extend(_row(child, r, tenant_id, sealer) for r in rows)
    # Sign-ins name their account as a subject, not a member_id (the hash is left out).
    tokens = Base.metadata.tables["refresh_tokens"]
    found["refresh_tokens"] = [
        _row(tokens, r, tenant_id, sealer)
        for r in _rows(
            db,
            tokens,
            (tokens.c.tenant_id == tenant_id)
            & (tokens.c.subject_kind == "member")
            & (tokens.c.subject_id == member_id),
        )
    ]
    # Messages queued before they named their member are found by address too.
    notices = Base.metadata.tables["notices"]
    mine = notices.c.member_id == member_id
    if email:
        mine = mine | (notices.c.to_email == email)
    found["notices"] = [
        _row(notices, r, tenant_id, sealer)
        for r in _rows(db, notices, (notices.c.tenant_id == tenant_id) & mine)
    ]
    return found
