"""What kiosks hold of their tenant: its name and their location."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.sync.registry import SnapshotScope, SyncRegistry
from server.tenants.models import Location, LocationClosure
from server.tenants.repository import ClosureRepository, TenantDirectory, closure_days
from shared.opening_hours import OpeningHours
from shared.sync import messages as wire
from shared.sync.snapshot import SnapshotLocation, SnapshotPlace, SnapshotTenant


def location_shape(row: Location) -> SnapshotLocation:
    return SnapshotLocation(
        id=row.id,
        name=row.name,
        timezone=row.timezone,
        capacity=row.capacity,
        address=row.address,
        contact_email=row.contact_email,
        contact_phone=row.contact_phone,
        opening_hours=OpeningHours.model_validate(row.opening_hours),
    )


def _location(row: Location) -> dict[str, Any] | None:
    return None if row.archived_at is not None else location_shape(row).model_dump(mode="json")


def live_location_ids(db: Session, tenant_id: uuid.UUID) -> list[uuid.UUID]:
    query = select(Location.id).where(
        Location.tenant_id == tenant_id, Location.archived_at.is_(None)
    )
    return list(db.execute(query).scalars())


def _snapshot(scope: SnapshotScope) -> dict[str, Any]:
    tenant = TenantDirectory(scope.db, scope.tenant_id).current()
    # The kiosk's own location, read already in this transaction.
    location = scope.db.get(Location, (scope.tenant_id, scope.location.id))
    assert location is not None
    places = scope.db.execute(
        select(Location.id, Location.name)
        .where(Location.tenant_id == scope.tenant_id, Location.archived_at.is_(None))
        .order_by(Location.name)
    )
    return {
        "tenant": SnapshotTenant(id=tenant.id, name=tenant.name),
        "location": location_shape(location),
        "places": [SnapshotPlace(id=row.id, name=row.name) for row in places],
    }


def _closure(row: LocationClosure) -> dict[str, Any]:
    return closure_days(row).model_dump(mode="json")


def _closures_snapshot(scope: SnapshotScope) -> dict[str, Any]:
    """The kiosk's location's closures from yesterday on (in any zone): pulls bring the rest."""
    rows = ClosureRepository(scope.db, scope.tenant_id).of_locations(
        [scope.location.id], ending_from=scope.now.date() - timedelta(days=1)
    )
    return {wire.TABLE_LOCATION_CLOSURES: [closure_days(r) for r in rows]}


def register(registry: SyncRegistry) -> None:
    registry.tables.register(
        wire.TABLE_LOCATIONS, Location, serialise=_location, location=lambda row: row.id
    )
    registry.tables.fan_out_with(live_location_ids)
    registry.snapshot_parts.append(_snapshot)
    registry.tables.register(
        wire.TABLE_LOCATION_CLOSURES,
        LocationClosure,
        serialise=_closure,
        location=lambda row: row.location_id,
    )
    registry.snapshot_parts.append(_closures_snapshot)
