"""What kiosks hold of passes: the public keys that sign them and the revoked ones, so that
they verify members' QR codes offline."""

from __future__ import annotations

import base64
from typing import Any

from server.passes.models import MemberPass, PassKey
from server.passes.repository import MemberPassRepository, PassKeyRepository
from server.sync.registry import SnapshotScope, SyncRegistry
from shared.sync import messages as wire
from shared.sync.snapshot import SnapshotPassKey, SnapshotRevokedPass


def _key_shape(row: PassKey) -> SnapshotPassKey:
    return SnapshotPassKey(key_id=row.key_id, public_key=base64.b64encode(row.public_key).decode())


def _pass_key(row: PassKey) -> dict[str, Any]:
    return _key_shape(row).model_dump(mode="json")


def _revoked(row: MemberPass) -> dict[str, Any]:
    shape = SnapshotRevokedPass(id=row.id, member_id=row.member_id, expires_at=row.expires_at)
    return shape.model_dump(mode="json")


def _snapshot(scope: SnapshotScope) -> dict[str, Any]:
    """Every key a kiosk may meet on an unexpired pass, and the passes it must refuse."""
    keys = PassKeyRepository(scope.db, scope.tenant_id).all()
    return {
        "pass_keys": [_key_shape(key) for key in keys],
        "revoked_pass_ids": MemberPassRepository(scope.db, scope.tenant_id).revoked_ids(scope.now),
    }


def register(registry: SyncRegistry) -> None:
    registry.tables.register(wire.TABLE_PASS_KEYS, PassKey, serialise=_pass_key)
    registry.tables.register(
        wire.TABLE_REVOKED_PASSES,
        MemberPass,
        serialise=_revoked,
        include=lambda row: row.revoked_at is not None,
    )
    registry.snapshot_parts.append(_snapshot)
