"""Pull (DESIGN.md §5.7–8): a location's changes after a cursor, in sequence order."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from server.db.uow import UnitOfWork
from server.devices import service as devices_service
from server.ports.identity import AccessClaims
from server.sync.errors import SnapshotRequired
from server.sync.models import DeviceSyncState, LocationSyncSeq, SyncChange
from shared.sync.messages import Change, PullResponse

DEFAULT_PAGE = 1000
MAX_PAGE = 5000


def _counter(session: Session, tenant_id: uuid.UUID, location_id: uuid.UUID) -> tuple[int, int]:
    row = session.execute(
        select(LocationSyncSeq.last_seq, LocationSyncSeq.pruned_seq).where(
            LocationSyncSeq.tenant_id == tenant_id, LocationSyncSeq.location_id == location_id
        )
    ).first()
    return (0, 0) if row is None else (int(row[0]), int(row[1]))


def current_cursor(session: Session, tenant_id: uuid.UUID, location_id: uuid.UUID) -> int:
    """The newest committed sequence number of a location: a snapshot read after this is
    consistent with it (numbers are handed out in commit order)."""
    return _counter(session, tenant_id, location_id)[0]


def _last_mutation_id(session: Session, tenant_id: uuid.UUID, device_id: uuid.UUID) -> int:
    found = session.execute(
        select(DeviceSyncState.last_mutation_id).where(
            DeviceSyncState.tenant_id == tenant_id, DeviceSyncState.device_id == device_id
        )
    ).scalar_one_or_none()
    return int(found or 0)


def pull(*, uow: UnitOfWork, claims: AccessClaims, cursor: int, limit: int) -> PullResponse:
    with uow:
        session = uow.session
        device = devices_service.require_live_device(uow=uow, claims=claims)
        tenant_id, location_id = claims.tenant_id, device.location_id
        _, pruned = _counter(session, tenant_id, location_id)
        if cursor < pruned:
            raise SnapshotRequired(cursor, pruned)
        rows = session.execute(
            select(SyncChange)
            .where(
                SyncChange.tenant_id == tenant_id,
                SyncChange.location_id == location_id,
                SyncChange.seq > cursor,
            )
            .order_by(SyncChange.seq)
            .limit(limit + 1)
        ).scalars()
        changes = [
            Change(
                seq=row.seq,
                table=row.table_name,
                row_id=row.row_id,
                deleted=row.deleted,
                data=row.data,
            )
            for row in rows
        ]
        page = changes[:limit]
        return PullResponse(
            changes=page,
            cursor=page[-1].seq if page else cursor,
            has_more=len(changes) > limit,
            last_mutation_id=_last_mutation_id(session, tenant_id, device.id),
        )


def has_changes_after(uow: UnitOfWork, claims: AccessClaims, cursor: int) -> bool:
    """One cheap read, polled by a long-poll: is there anything after ``cursor``?"""
    assert claims.location_id is not None
    with uow:
        return current_cursor(uow.session, claims.tenant_id, claims.location_id) > cursor


def prune(*, uow: UnitOfWork, older_than: datetime) -> int:
    """Forget changes made before ``older_than``; kiosks whose cursor is older get a 410 and
    download a snapshot. Returns how many changes went."""
    removed = 0
    with uow:
        session = uow.session
        ends = session.execute(
            select(SyncChange.tenant_id, SyncChange.location_id, func.max(SyncChange.seq))
            .where(SyncChange.created_at < older_than)
            .group_by(SyncChange.tenant_id, SyncChange.location_id)
        ).all()
        for tenant_id, location_id, through in ends:
            session.execute(
                update(LocationSyncSeq)
                .where(
                    LocationSyncSeq.tenant_id == tenant_id,
                    LocationSyncSeq.location_id == location_id,
                    LocationSyncSeq.pruned_seq < through,
                )
                .values(pruned_seq=through)
            )
            result = session.execute(
                delete(SyncChange).where(
                    SyncChange.tenant_id == tenant_id,
                    SyncChange.location_id == location_id,
                    SyncChange.seq <= through,
                )
            )
            removed += int(result.rowcount)  # type: ignore[attr-defined]
        uow.commit()
    return removed
