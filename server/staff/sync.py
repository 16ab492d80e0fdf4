"""What kiosks hold of staff: the active staff of their location, with their PIN hashes."""

from __future__ import annotations

import uuid
from typing import Any

from server.staff.models import StaffAccount
from server.staff.repository import StaffRepository, active_staff_for_location
from server.sync.registry import SnapshotScope, SyncRegistry
from shared.enums import StaffRole
from shared.sync import messages as wire
from shared.sync.snapshot import SnapshotStaff


def _shape(row: StaffAccount) -> SnapshotStaff:
    return SnapshotStaff(id=row.id, name=row.name, role=StaffRole(row.role), pin_hash=row.pin_hash)


def _staff(row: StaffAccount) -> dict[str, Any] | None:
    return _shape(row).model_dump(mode="json") if row.active else None


def _staff_at(row: StaffAccount, location_id: uuid.UUID) -> bool:
    return row.home_location_id is None or row.home_location_id == location_id


def _snapshot(scope: SnapshotScope) -> dict[str, Any]:
    staff = active_staff_for_location(StaffRepository(scope.db, scope.tenant_id), scope.location.id)
    return {"staff": [_shape(s) for s in staff]}


def register(registry: SyncRegistry) -> None:
    registry.tables.register(wire.TABLE_STAFF, StaffAccount, serialise=_staff, visible_at=_staff_at)
    registry.snapshot_parts.append(_snapshot)
