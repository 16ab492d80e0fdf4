"""Pull: a location's changes after a cursor, in sequence order; a cursor older than the
changes kept answers 410 (download a snapshot)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import String, Text, cast, delete, func, select, update
from sqlalchemy.orm import Session

from server.db.uow import UnitOfWork
from server.ports.identity import AccessClaims
from server.sync.changes import SyncedTables
from server.sync.errors import SnapshotRequired
from server.sync.kiosks import Kiosks, OutboxReport, device_key
from server.sync.models import DeviceSyncState, LocationSyncSeq, SyncChange
from shared.clock import utcnow

DEFAULT_PAGE = 1000
MAX_PAGE = 5000


def _counter(db: Session, tenant_id: uuid.UUID, location_id: uuid.UUID) -> tuple[int, int]:
    row = db.execute(
        select(LocationSyncSeq.last_seq, LocationSyncSeq.pruned_seq).where(
            LocationSyncSeq.tenant_id == tenant_id, LocationSyncSeq.location_id == location_id
        )
    ).first()
    return (0, 0) if row is None else (int(row[0]), int(row[1]))


def current_cursor(db: Session, tenant_id: uuid.UUID, location_id: uuid.UUID) -> int:
    """The newest committed sequence number of a location: a snapshot read after this is
    consistent with it (numbers are handed out in commit order)."""
    return _counter(db, tenant_id, location_id)[0]


def _last_mutation_id(db: Session, tenant_id: uuid.UUID, device_id: uuid.UUID) -> int:
    found = db.execute(
        select(DeviceSyncState.last_mutation_id).where(
            DeviceSyncState.tenant_id == tenant_id, DeviceSyncState.device_id == device_id
        )
    ).scalar_one_or_none()
    return int(found or 0)


@dataclass(frozen=True)
class PullPage:
    """A ``PullResponse`` already encoded: the changes' ``data`` go out as the text the
    database holds, so a page of thousands of rows costs no per-row objects or re-encoding."""

    count: int
    body: bytes


def pull_page(
    *,
    uow: UnitOfWork,
    kiosks: Kiosks,
    claims: AccessClaims,
    cursor: int,
    limit: int,
    tables: SyncedTables,
    report: OutboxReport | None = None,
) -> PullPage:
    """``report``: what the kiosk said of its outbox, kept on its device when it changed."""
    with uow:
        db = uow.db
        device = kiosks.live_device(uow=uow, claims=claims)
        contact = kiosks.note_contact(uow=uow, device=device, report=report)
        tenant_id, location_id = claims.tenant_id, device.location_id
        _, pruned = _counter(db, tenant_id, location_id)
        if cursor < pruned:
            raise SnapshotRequired(cursor, pruned)
        rows = db.execute(
            select(
                SyncChange.seq,
                SyncChange.table_name,
                cast(SyncChange.row_id, String),
                SyncChange.deleted,
                cast(SyncChange.data, Text),
            )
            .where(
                SyncChange.tenant_id == tenant_id,
                SyncChange.location_id == location_id,
                SyncChange.seq > cursor,
            )
            .order_by(SyncChange.seq)
            .limit(limit + 1)
        ).all()
        page = rows[:limit]
        last_mutation_id = _last_mutation_id(db, tenant_id, device.id)
        key = device_key(device)
        if contact:
            uow.commit()
    page = [_for_device(tables, row, key) for row in page]
    changes = ",".join(
        f'{{"seq":{seq},"table":{_json_str(table)},"row_id":"{_dashed(row_id)}",'
        f'"deleted":{"true" if deleted else "false"},"data":{data or "null"}}}'
        for seq, table, row_id, deleted, data in page
    )
    body = (
        f'{{"changes":[{changes}],"cursor":{page[-1][0] if page else cursor},'
        f'"has_more":{"true" if len(rows) > limit else "false"},'
        f'"last_mutation_id":{last_mutation_id}}}'
    )
    return PullPage(len(page), body.encode())


def _for_device(tables: SyncedTables, row: Any, key: bytes | None) -> Any:
    """The row as this kiosk receives it: most go out as stored; a few are keyed for it."""
    seq, table, row_id, deleted, data = row
    make = tables.for_device(table)
    if make is None or data is None or deleted:
        return row  # a tombstone (stored as JSON null) has nothing to key
    return seq, table, row_id, deleted, json.dumps(make(json.loads(data), key))


@cache
def _json_str(text: str) -> str:
    """A table name as JSON (the few names repeat on every row)."""
    return json.dumps(text)


def _dashed(text: str) -> str:
    """A UUID as text: SQLite keeps 32 hex digits, PostgreSQL answers the dashed form."""
    if len(text) == 32:
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return text


def has_changes_after(uow: UnitOfWork, claims: AccessClaims, cursor: int) -> bool:
    """One cheap read, polled by a long-poll: is there anything after ``cursor``?"""
    assert claims.location_id is not None
    with uow:
        return current_cursor(uow.db, claims.tenant_id, claims.location_id) > cursor


def prune(*, uow: UnitOfWork, older_than: datetime) -> int:
    """Forget changes made before ``older_than``; kiosks whose cursor is older get a 410 and
    download a snapshot. Returns how many changes went.

    Safe with several server processes at once: each location in its own short transaction,
    in the order change capture takes the counters' locks, and only ever moving
    ``pruned_seq`` forward."""
    with uow:
        ends = uow.db.execute(
            select(SyncChange.tenant_id, SyncChange.location_id, func.max(SyncChange.seq))
            .where(SyncChange.created_at < older_than)
            .group_by(SyncChange.tenant_id, SyncChange.location_id)
        ).all()
    removed = 0
    for tenant_id, location_id, through in sorted(ends, key=lambda e: (str(e[0]), str(e[1]))):
        with uow:
            db = uow.db
            db.execute(
                update(LocationSyncSeq)
                .where(
                    LocationSyncSeq.tenant_id == tenant_id,
                    LocationSyncSeq.location_id == location_id,
                    LocationSyncSeq.pruned_seq < through,
                )
                .values(pruned_seq=through)
            )
            result = db.execute(
                delete(SyncChange).where(
                    SyncChange.tenant_id == tenant_id,
                    SyncChange.location_id == location_id,
                    SyncChange.seq <= through,
                )
            )
            removed += int(result.rowcount)  # type: ignore[attr-defined]
            uow.commit()
    return removed


def prune_job(*, make_uow: Callable[[], UnitOfWork], keep: timedelta) -> int:
    """The periodic job: forget changes older than ``keep``."""
    return prune(uow=make_uow(), older_than=utcnow() - keep)
