"""HTTP routes of tenants and locations. Thin: parse, call the service, return."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from server.api.deps import Admin, AnyStaff, Owner, ReadUowDep, UowDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.tenants import service
from server.tenants.schemas import (
    LocationCreate,
    LocationPage,
    LocationRead,
    LocationUpdate,
    TenantRead,
    TenantUpdate,
)

router = APIRouter(route_class=ThreadedRoute, tags=["tenants and locations"])


@router.get("/tenant", response_model=TenantRead)
def get_tenant(claims: AnyStaff, uow: ReadUowDep) -> TenantRead:
    return service.get_tenant(uow=uow, claims=claims)


@router.patch("/tenant", response_model=TenantRead)
def update_tenant(cmd: TenantUpdate, claims: Owner, uow: UowDep) -> TenantRead:
    return service.update_tenant(uow=uow, claims=claims, cmd=cmd)


@router.post("/locations", response_model=LocationRead, status_code=status.HTTP_201_CREATED)
def create_location(cmd: LocationCreate, claims: Admin, uow: UowDep) -> LocationRead:
    return service.create_location(uow=uow, claims=claims, cmd=cmd)


@router.get("/locations", response_model=LocationPage)
def list_locations(
    claims: AnyStaff,
    uow: ReadUowDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> LocationPage:
    return service.list_locations(uow=uow, claims=claims, limit=limit, offset=offset)


@router.get("/locations/{location_id}", response_model=LocationRead)
def get_location(location_id: uuid.UUID, claims: AnyStaff, uow: ReadUowDep) -> LocationRead:
    return service.get_location(uow=uow, claims=claims, location_id=location_id)


@router.patch("/locations/{location_id}", response_model=LocationRead)
def update_location(
    location_id: uuid.UUID, cmd: LocationUpdate, claims: Admin, uow: UowDep
) -> LocationRead:
    return service.update_location(uow=uow, claims=claims, location_id=location_id, cmd=cmd)


@router.delete("/locations/{location_id}", status_code=status.HTTP_204_NO_CONTENT)
def archive_location(location_id: uuid.UUID, claims: Owner, uow: UowDep) -> None:
    """Archive a location: it disappears from lists; its history stays."""
    service.archive_location(uow=uow, claims=claims, location_id=location_id)
