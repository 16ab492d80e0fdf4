"""HTTP routes of kiosk devices."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from server.api.deps import Admin, ContainerDep, ReadUowDep, UowDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.devices import service
from server.devices.schemas import (
    DeviceEnrol,
    DeviceEnrolled,
    DevicePage,
    DeviceRead,
    DeviceToken,
    DeviceTokenRequest,
    EnrolmentCodeCreate,
    EnrolmentCodeRead,
)

router = APIRouter(route_class=ThreadedRoute, tags=["kiosk devices"])


@router.post(
    "/locations/{location_id}/enrolment-codes",
    response_model=EnrolmentCodeRead,
    status_code=status.HTTP_201_CREATED,
)
def create_enrolment_code(
    location_id: uuid.UUID,
    claims: Admin,
    container: ContainerDep,
    cmd: EnrolmentCodeCreate | None = None,
) -> EnrolmentCodeRead:
    """A one-time code that enrols one kiosk at this location."""
    return service.create_enrolment_code(
        uow=container.uow(),
        settings=container.settings,
        claims=claims,
        location_id=location_id,
        cmd=cmd or EnrolmentCodeCreate(),
    )


@router.post("/devices/enrol", response_model=DeviceEnrolled, status_code=status.HTTP_201_CREATED)
def enrol(cmd: DeviceEnrol, uow: UowDep) -> DeviceEnrolled:
    """A kiosk exchanges an enrolment code for its device credential."""
    return service.enrol(uow=uow, cmd=cmd)


@router.post("/devices/token", response_model=DeviceToken)
def device_token(cmd: DeviceTokenRequest, container: ContainerDep) -> DeviceToken:
    """A short-lived access token for an enrolled, unrevoked kiosk."""
    return service.issue_token(
        uow=container.uow(), identity=container.identity, settings=container.settings, cmd=cmd
    )


@router.get("/devices", response_model=DevicePage)
def list_devices(
    claims: Admin,
    uow: ReadUowDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> DevicePage:
    return service.list_devices(uow=uow, claims=claims, limit=limit, offset=offset)


@router.get("/devices/{device_id}", response_model=DeviceRead)
def get_device(device_id: uuid.UUID, claims: Admin, uow: ReadUowDep) -> DeviceRead:
    return service.get_device(uow=uow, claims=claims, device_id=device_id)


@router.post("/devices/{device_id}/revoke", response_model=DeviceRead)
def revoke_device(device_id: uuid.UUID, claims: Admin, uow: UowDep) -> DeviceRead:
    """Revoke a kiosk: it can no longer get tokens or sync."""
    return service.revoke_device(uow=uow, claims=claims, device_id=device_id)
