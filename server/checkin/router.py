"""HTTP routes of check-ins. Thin: parse, call the service, return."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import AwareDatetime

from server.api.deps import Admin, AnyStaff, ContainerDep, ReadUowDep, UowDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.checkin import policy, service
from server.checkin.booked_classes import BookedClasses
from server.checkin.schemas import (
    CheckinCreate,
    CheckinPage,
    CheckinPolicyPatch,
    CheckinPolicyRead,
    CheckinPolicyReplace,
    CheckinRead,
    CheckinResult,
)
from server.plans.deps import FrontDeskOrKiosk


async def get_booked_classes(request: Request) -> BookedClasses:
    """How a door check-in attends a booked class, plugged in by bootstrap."""
    booked: BookedClasses = request.app.state.container.booked_classes
    return booked


BookedDep = Annotated[BookedClasses, Depends(get_booked_classes)]

router = APIRouter(route_class=ThreadedRoute, tags=["check-in"])


@router.post("/checkins", response_model=CheckinResult, status_code=status.HTTP_201_CREATED)
def check_in(
    cmd: CheckinCreate, claims: FrontDeskOrKiosk, container: ContainerDep, booked: BookedDep
) -> CheckinResult:
    """Decide at the door and record the decision, admitted or refused, with its reason."""
    return service.check_in(
        uow=container.uow(),
        eligibility=container.eligibility,
        claims=claims,
        cmd=cmd,
        booked=booked,
        reads=container.read_uow(),
    )


@router.get("/checkins", response_model=CheckinPage)
def list_checkins(
    claims: AnyStaff,
    uow: UowDep,
    location_id: uuid.UUID | None = None,
    member_id: uuid.UUID | None = None,
    since: AwareDatetime | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CheckinPage:
    """Newest first."""
    return service.list_checkins(
        uow=uow,
        claims=claims,
        location_id=location_id,
        member_id=member_id,
        since=since,
        limit=limit,
        offset=offset,
    )


@router.get("/checkins/{checkin_id}", response_model=CheckinRead)
def get_checkin(checkin_id: uuid.UUID, claims: AnyStaff, uow: ReadUowDep) -> CheckinRead:
    return service.get_checkin(uow=uow, claims=claims, checkin_id=checkin_id)


@router.get("/checkin-policy", response_model=CheckinPolicyRead)
def get_policy(claims: Admin, uow: UowDep) -> CheckinPolicyRead:
    """The door rules: the re-entry window and when class check-in opens."""
    return policy.get_policy(uow=uow, claims=claims)


@router.put("/checkin-policy", response_model=CheckinPolicyRead)
def put_policy(cmd: CheckinPolicyReplace, claims: Admin, uow: UowDep) -> CheckinPolicyRead:
    """Replace the whole policy: every field is sent (PATCH changes some)."""
    return policy.put_policy(uow=uow, claims=claims, cmd=cmd)


@router.patch("/checkin-policy", response_model=CheckinPolicyRead)
def patch_policy(cmd: CheckinPolicyPatch, claims: Admin, uow: UowDep) -> CheckinPolicyRead:
    """Change the fields sent; the others keep their values."""
    return policy.patch_policy(uow=uow, claims=claims, cmd=cmd)
