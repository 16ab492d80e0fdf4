"""``record``: the one way domains emit events — rows added to the caller's open transaction,
so the events exist exactly when the change that caused them does (a rollback takes both)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.orm import Session

from server.outbox.models import EVENT_SEQ, OutboxEvent
from server.ports.analytics import PublishedEvent
from shared.clock import ensure_utc, utcnow

_TABLE: Table = OutboxEvent.__table__  # type: ignore[assignment]
_PREVIOUS = _TABLE.alias("previous")
#: SQLite: the tenant's next number is taken inside the INSERT (SQLite has one writer at a
#: time, so two transactions never take the same one). Built once: compiled once.
_SQLITE_INSERT = insert(_TABLE).values(
    seq=select(func.coalesce(func.max(_PREVIOUS.c.seq), 0) + 1)
    .where(_PREVIOUS.c.tenant_id == bindparam("b_tenant"))
    .scalar_subquery()
)
#: PostgreSQL: numbers from a sequence (psycopg pipelines the executemany: one round trip).
_POSTGRES_INSERT = insert(_TABLE).values(seq=EVENT_SEQ.next_value())


def subject_of(event: PublishedEvent) -> uuid.UUID | None:
    """The member the event is about: its ``subject``, else ``data["member_id"]``."""
    if event.subject is not None:
        return event.subject
    member = event.data.get("member_id")
    if member is None:
        return None
    try:
        return uuid.UUID(str(member))
    except ValueError:
        return None


def _row(event: PublishedEvent, recorded_at: Any) -> dict[str, Any]:
    return {
        "tenant_id": event.tenant_id,
        "event_id": event.id,
        "name": event.name,
        "subject": subject_of(event),
        "occurred_at": ensure_utc(event.occurred_at),
        "recorded_at": recorded_at,
        "data": event.data,
    }


def record(db: Session, events: Iterable[PublishedEvent]) -> int:
    """Add ``events`` to the outbox in ``db``'s transaction: one statement for all of them.
    Returns how many were written."""
    now = utcnow()
    rows = [_row(event, now) for event in events]
    if not rows:
        return 0
    if db.get_bind().dialect.name == "postgresql":
        db.execute(_POSTGRES_INSERT, rows)
    else:
        db.execute(_SQLITE_INSERT, [{**row, "b_tenant": row["tenant_id"]} for row in rows])
    return len(rows)
