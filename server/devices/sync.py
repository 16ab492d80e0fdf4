"""Who a syncing kiosk is: its device, refused once revoked, and its location."""

from __future__ import annotations

import uuid

from server.db.uow import UnitOfWork
from server.devices import rules
from server.devices import service as devices_service
from server.devices.models import Device
from server.errors import NotFound
from server.ports.identity import AccessClaims
from server.staff.repository import StaffRepository
from server.sync.kiosks import KioskDevice, OutboxReport
from server.sync.registry import SyncRegistry
from server.tenants.models import Location
from server.tenants.repository import LocationRepository
from shared.clock import utcnow


class DeviceKiosks:
    def live_device(self, *, uow: UnitOfWork, claims: AccessClaims) -> Device:
        return devices_service.require_live_device(uow=uow, claims=claims)

    def location(self, *, uow: UnitOfWork, device: KioskDevice) -> Location:
        location = LocationRepository(uow.db, device.tenant_id).get(device.location_id)
        if location is None:
            raise NotFound("this kiosk's location has been archived", code="location_archived")
        return location

    def serves_here(self, *, uow: UnitOfWork, device: KioskDevice, staff_id: uuid.UUID) -> bool:
        staff = StaffRepository(uow.db, device.tenant_id)
        return staff_id in staff.serving([staff_id], device.location_id)

    def note_contact(
        self, *, uow: UnitOfWork, device: KioskDevice, report: OutboxReport | None
    ) -> bool:
        assert isinstance(device, Device)
        kept = rules.Contact(device.last_seen_at, device.pending_count, device.oldest_pending_at)
        new = rules.next_contact(
            kept,
            utcnow(),
            None if report is None else report.pending,
            None if report is None else report.oldest_age_seconds,
        )
        if new is None:
            return False
        device.last_seen_at = new.last_seen_at
        device.pending_count = new.pending_count
        device.oldest_pending_at = new.oldest_pending_at
        return True


def register(registry: SyncRegistry) -> None:
    registry.kiosks = DeviceKiosks()
