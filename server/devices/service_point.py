"""A service point: where a member is served (checked in, sold a pass) and who serves them,
a kiosk at its own location or a staff member at the location they name."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from server.db.uow import UnitOfWork
from server.devices import service as devices_service
from server.errors import InvalidInput, NotFound
from server.ports.identity import AccessClaims
from server.tenants.models import Location
from server.tenants.repository import LocationRepository
from shared.enums import PrincipalKind


@dataclass(frozen=True)
class ServicePoint:
    location: Location
    staff_id: uuid.UUID | None
    device_id: uuid.UUID | None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.location.timezone)


def service_point(
    uow: UnitOfWork, claims: AccessClaims, location_id: uuid.UUID | None
) -> ServicePoint:
    """A kiosk acts at its own location; staff say where. Other tenants' locations: 404."""
    locations = LocationRepository(uow.db, claims.tenant_id)
    if claims.kind is PrincipalKind.DEVICE:
        device = devices_service.require_live_device(uow=uow, claims=claims)
        if location_id is not None and location_id != device.location_id:
            raise InvalidInput("a kiosk acts at its own location; leave location_id out")
        location = locations.get(device.location_id)
        if location is None:
            raise NotFound("this kiosk's location has been archived", code="location_archived")
        return ServicePoint(location=location, staff_id=None, device_id=device.id)
    if location_id is None:
        raise InvalidInput("location_id is needed: the location where this happens")
    if not claims.sees_location(location_id):
        raise NotFound(f"location {location_id} was not found")
    return ServicePoint(
        location=locations.get_or_404(location_id), staff_id=claims.subject_id, device_id=None
    )
