"""Tenant and location use cases."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from server.config import Settings
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, InvalidInput
from server.ports.identity import AccessClaims, IdentityService
from server.staff import service as staff_service
from server.staff.models import StaffAccount
from server.tenants.models import Location, Tenant
from server.tenants.repository import LocationRepository, TenantDirectory, tenant_by_slug
from server.tenants.schemas import (
    LocationCreate,
    LocationPage,
    LocationRead,
    LocationUpdate,
    TenantCreate,
    TenantRead,
    TenantSignedUp,
    TenantUpdate,
)
from shared.clock import utcnow
from shared.enums import StaffRole
from shared.ids import new_id


def sign_up(
    *, uow: UnitOfWork, identity: IdentityService, settings: Settings, cmd: TenantCreate
) -> TenantSignedUp:
    if not settings.allow_tenant_signup:
        raise Forbidden("new providers cannot sign up on this server", code="signup_closed")
    taken = Conflict(f"the name {cmd.slug!r} is taken; choose another", code="slug_taken")
    with uow:
        if tenant_by_slug(uow.db, cmd.slug) is not None:
            raise taken
        tenant = Tenant(
            id=new_id(),
            slug=cmd.slug,
            name=cmd.name,
            contact_email=cmd.contact_email,
            contact_phone=cmd.contact_phone,
        )
        uow.db.add(tenant)
        uow.flush()
        owner = StaffAccount(
            tenant_id=tenant.id,
            id=new_id(),
            email=cmd.owner.email.lower(),
            name=cmd.owner.name,
            role=StaffRole.OWNER.value,
            password_hash=identity.hash_password(cmd.owner.password),
            active=True,
        )
        uow.db.add(owner)
        uow.flush()
        tokens = staff_service.issue_tokens(
            uow=uow, identity=identity, settings=settings, staff=owner
        )
        try:
            uow.commit()
        except IntegrityError:
            raise taken from None
        return TenantSignedUp(
            tenant=TenantRead.model_validate(tenant),
            owner=staff_service.to_read(owner),
            tokens=tokens,
        )


def get_tenant(*, uow: UnitOfWork, claims: AccessClaims) -> TenantRead:
    with uow:
        return TenantRead.model_validate(TenantDirectory(uow.db, claims.tenant_id).current())


def update_tenant(*, uow: UnitOfWork, claims: AccessClaims, cmd: TenantUpdate) -> TenantRead:
    with uow:
        tenant = TenantDirectory(uow.db, claims.tenant_id).current()
        for field, value in cmd.model_dump(exclude_unset=True).items():
            if field == "name" and value is None:
                continue
            setattr(tenant, field, value)
        uow.commit()
        return TenantRead.model_validate(tenant)


def _read(location: Location) -> LocationRead:
    return LocationRead.model_validate(location)


def create_location(*, uow: UnitOfWork, claims: AccessClaims, cmd: LocationCreate) -> LocationRead:
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
            )
        )
        uow.commit()
        return _read(location)


def list_locations(
    *, uow: UnitOfWork, claims: AccessClaims, limit: int, offset: int
) -> LocationPage:
    with uow:
        rows = LocationRepository(uow.db, claims.tenant_id).list(limit=limit + 1, offset=offset)
        return LocationPage(
            items=[_read(r) for r in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def get_location(*, uow: UnitOfWork, claims: AccessClaims, location_id: uuid.UUID) -> LocationRead:
    with uow:
        return _read(LocationRepository(uow.db, claims.tenant_id).get_or_404(location_id))


def update_location(
    *, uow: UnitOfWork, claims: AccessClaims, location_id: uuid.UUID, cmd: LocationUpdate
) -> LocationRead:
    with uow:
        location = LocationRepository(uow.db, claims.tenant_id).get_or_404(
            location_id, for_update=True
        )
        changes = cmd.model_dump(exclude_unset=True)
        for required in ("name", "timezone", "opening_hours"):
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
