"""What a kiosk downloads first, and again after its cursor expired.

Each domain adds its part (``SyncRegistry.snapshot_parts``); the engine adds the server's
time, the pull cursor the snapshot is consistent with, and the location's open review items.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from server.db.uow import UnitOfWork
from server.ports.identity import AccessClaims
from server.sync import pull, review
from server.sync.kiosks import device_key
from server.sync.registry import SnapshotScope, SyncRegistry
from shared.clock import utcnow
from shared.sync.snapshot import KioskSnapshot


def snapshot(*, uow: UnitOfWork, registry: SyncRegistry, claims: AccessClaims) -> KioskSnapshot:
    with uow:
        device = registry.kiosks.live_device(uow=uow, claims=claims)
        location = registry.kiosks.location(uow=uow, device=device)
        # Read first: everything numbered up to here is committed, so the rows read below
        # include it (they may include later changes too, which a pull then repeats).
        cursor = pull.current_cursor(uow.db, claims.tenant_id, location.id)
        now = utcnow()
        fields: dict[str, object] = {}
        scope = SnapshotScope(
            db=uow.db,
            tenant_id=claims.tenant_id,
            location=location,
            now=now,
            tz=ZoneInfo(location.timezone),
            fields=fields,
            device_key=device_key(device),
        )
        for part in registry.snapshot_parts:
            fields.update(part(scope))
        items = review.open_for_location(uow.db, claims.tenant_id, location.id)
        return KioskSnapshot.model_validate(
            {
                **fields,
                "server_time": now,
                "cursor": cursor,
                "review_items": [review.review_shape(item) for item in items],
            }
        )
