"""When each kiosk last had its outbox applied: what the console shows as its last sync."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select

from server.db.uow import UnitOfWork
from server.sync.models import DeviceSyncState


def last_pushes(
    *, uow: UnitOfWork, tenant_id: uuid.UUID, device_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, datetime]:
    """Per device of ``device_ids`` that has pushed: the time of its latest applied batch."""
    if not device_ids:
        return {}
    with uow:
        rows = uow.db.execute(
            select(DeviceSyncState.device_id, DeviceSyncState.updated_at).where(
                DeviceSyncState.tenant_id == tenant_id,
                DeviceSyncState.device_id.in_(sorted(device_ids)),
            )
        ).all()
    return {device_id: at for device_id, at in rows}
