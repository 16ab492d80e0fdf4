"""What kiosks hold of staff: the active staff of their location, each with a PIN verifier
keyed for the one kiosk that receives it (see :mod:`shared.kiosk_pins`), never a PIN hash.

Changes are stored once per location with the argon2 hash in them; the pull makes each row
into the receiving kiosk's form (:func:`_for_device`), as the snapshot does.
"""

from __future__ import annotations

import uuid
from typing import Any

from server.staff import rules
from server.staff.models import StaffAccount
from server.staff.repository import StaffRepository, active_staff_for_location
from server.sync.registry import SnapshotScope, SyncRegistry
from shared.enums import StaffRole
from shared.kiosk_pins import keyed_verifier
from shared.sync import messages as wire
from shared.sync.snapshot import SnapshotStaff


def pin_for_kiosks(row: StaffAccount) -> str | None:
    """The PIN hash kiosks may get a verifier of: an owner's only when the owner asked."""
    if row.role == StaffRole.OWNER.value and not row.kiosk_pin:
        return None
    return row.pin_hash


def _index_for_kiosks(row: StaffAccount) -> str | None:
    return row.pin_index if pin_for_kiosks(row) is not None else None


def _shape(row: StaffAccount, key: bytes | None) -> SnapshotStaff:
    return SnapshotStaff(
        id=row.id,
        name=row.name,
        role=StaffRole(row.role),
        pin_verifier=keyed_verifier(pin_for_kiosks(row), key),
        pin_lookup=keyed_verifier(_index_for_kiosks(row), key),
    )


def _staff(row: StaffAccount) -> dict[str, Any] | None:
    if not row.active:
        return None
    # The stored change: the server's own form, which no kiosk receives as it is.
    return {
        "id": str(row.id),
        "name": row.name,
        "role": row.role,
        "pin_hash": pin_for_kiosks(row),
        "pin_index": _index_for_kiosks(row),
        "kiosk_pin": row.kiosk_pin,
    }


def _for_device(stored: dict[str, Any], key: bytes | None) -> dict[str, Any]:
    pin_hash, index = stored.get("pin_hash"), stored.get("pin_index")
    if stored.get("role") == StaffRole.OWNER.value and stored.get("kiosk_pin") is not True:
        # Also rows stored before owners could choose: an owner's PIN waits for the owner.
        pin_hash = index = None
    shaped = SnapshotStaff(
        id=stored["id"],
        name=stored["name"],
        role=StaffRole(stored["role"]),
        pin_verifier=keyed_verifier(pin_hash if isinstance(pin_hash, str) else None, key),
        pin_lookup=keyed_verifier(index if isinstance(index, str) else None, key),
    )
    return shaped.model_dump(mode="json")


def _staff_at(row: StaffAccount, location_id: uuid.UUID) -> bool:
    return rules.works_at(row.home_location_id, row.location_scope, location_id)


def _snapshot(scope: SnapshotScope) -> dict[str, Any]:
    staff = active_staff_for_location(StaffRepository(scope.db, scope.tenant_id), scope.location.id)
    return {"staff": [_shape(s, scope.device_key) for s in staff]}


def register(registry: SyncRegistry) -> None:
    registry.tables.register(
        wire.TABLE_STAFF,
        StaffAccount,
        serialise=_staff,
        visible_at=_staff_at,
        for_device=_for_device,
    )
    registry.snapshot_parts.append(_snapshot)
