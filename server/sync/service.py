"""What a kiosk downloads. The incremental push/pull protocol builds on this snapshot."""

from __future__ import annotations

from server.db.uow import UnitOfWork
from server.devices import service as devices_service
from server.errors import NotFound
from server.ports.identity import AccessClaims
from server.staff.repository import StaffRepository, active_staff_for_location
from server.tenants.repository import LocationRepository, TenantDirectory
from shared.clock import utcnow
from shared.enums import StaffRole
from shared.opening_hours import OpeningHours
from shared.sync.snapshot import KioskSnapshot, SnapshotLocation, SnapshotStaff, SnapshotTenant


def snapshot(*, uow: UnitOfWork, claims: AccessClaims) -> KioskSnapshot:
    with uow:
        device = devices_service.require_live_device(uow=uow, claims=claims)
        location = LocationRepository(uow.session, claims.tenant_id).get(device.location_id)
        if location is None:
            raise NotFound("this kiosk's location has been archived", code="location_archived")
        tenant = TenantDirectory(uow.session, claims.tenant_id).current()
        staff = active_staff_for_location(
            StaffRepository(uow.session, claims.tenant_id), location.id
        )
        return KioskSnapshot(
            tenant=SnapshotTenant(id=tenant.id, name=tenant.name),
            location=SnapshotLocation(
                id=location.id,
                name=location.name,
                timezone=location.timezone,
                capacity=location.capacity,
                address=location.address,
                contact_email=location.contact_email,
                contact_phone=location.contact_phone,
                opening_hours=OpeningHours.model_validate(location.opening_hours),
            ),
            staff=[
                SnapshotStaff(id=s.id, name=s.name, role=StaffRole(s.role), pin_hash=s.pin_hash)
                for s in staff
            ],
            server_time=utcnow(),
        )
