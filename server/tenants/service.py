"""Tenant and location use cases."""

from __future__ import annotations

import uuid

from server.db.repository import within
from server.db.uow import UnitOfWork
from server.errors import Forbidden, InvalidInput
from server.ports.identity import AccessClaims
from server.tenants.models import Location
from server.tenants.repository import LocationRepository, TenantDirectory
from server.tenants.schemas import (
    LocationCreate,
    LocationPage,
    LocationRead,
    LocationUpdate,
    TenantRead,
    TenantUpdate,
)
from shared.clock import utcnow
from shared.ids import new_id


def get_tenant(*, uow: UnitOfWork, claims: AccessClaims) -> TenantRead:
    with uow:
        return TenantRead.model_validate(TenantDirectory(uow.db, claims.tenant_id).current())


def update_tenant(*, uow: UnitOfWork, claims: AccessClaims, cmd: TenantUpdate) -> TenantRead:
    with uow:
        tenant = TenantDirectory(uow.db, claims.tenant_id).current()
        for field, value in cmd.model_dump(exclude_unset=True).items():
            if field in ("name", "currency", "day_start_hour") and value is None:
                continue
            setattr(tenant, field, value)
        uow.commit()
        return TenantRead.model_validate(tenant)


def _read(location: Location) -> LocationRead:
    return LocationRead.model_validate(location)


def create_location(*, uow: UnitOfWork, claims: AccessClaims, cmd: LocationCreate) -> LocationRead:
    if claims.location_ids is not None:
        raise Forbidden("staff limited to some locations cannot open new ones")
    with uow:
        location = LocationRepository(uow.db, claims.tenant_id).add(
            Location(
                id=new_id(),
                name=cmd.name,
                timezone=cmd.timezone,
                capacity=cmd.capacity,
                address=cmd.address,
                contact_email=cmd.contact_email,
                contact_phone=cmd.contact_phone,
                opening_hours=cmd.opening_hours.model_dump(),
                currency=cmd.currency,
                locale=cmd.locale,
            )
        )
        uow.commit()
        return _read(location)


def list_locations(
    *, uow: UnitOfWork, claims: AccessClaims, limit: int, offset: int
) -> LocationPage:
    with uow:
        rows = LocationRepository(uow.db, claims.tenant_id).list(
            limit=limit + 1, offset=offset, where=within(Location.id, claims.location_ids)
        )
        return LocationPage(
            items=[_read(r) for r in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def get_location(*, uow: UnitOfWork, claims: AccessClaims, location_id: uuid.UUID) -> LocationRead:
    with uow:
        row = LocationRepository(uow.db, claims.tenant_id).read_or_404(location_id)
        return LocationRead.model_validate(row)


def update_location(
    *, uow: UnitOfWork, claims: AccessClaims, location_id: uuid.UUID, cmd: LocationUpdate
) -> LocationRead:
    with uow:
        location = LocationRepository(uow.db, claims.tenant_id).get_or_404(
            location_id, for_update=True
        )
        changes = cmd.model_dump(exclude_unset=True)
        for required in ("name", "timezone", "opening_hours", "locale"):
            if required in changes and changes[required] is None:
                raise InvalidInput(f"{required} cannot be empty")
        for field, value in changes.items():
            setattr(location, field, value)
        uow.commit()
        return _read(location)


def archive_location(*, uow: UnitOfWork, claims: AccessClaims, location_id: uuid.UUID) -> None:
    with uow:
        location = LocationRepository(uow.db, claims.tenant_id).get_or_404(
            location_id, for_update=True
        )
        location.archived_at = utcnow()
        uow.commit()
