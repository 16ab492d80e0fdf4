"""HTTP routes of check-ins. Thin: parse, call the service, return."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime

from server.api.deps import AnyStaff, ContainerDep, ReadUowDep, UowDep
from server.api.params import Offset
from server.api.threaded_route import ThreadedRoute
from server.checkin import service
from server.checkin.schemas import CheckinCreate, CheckinPage, CheckinRead, CheckinResult
from server.plans.deps import FrontDeskOrKiosk

router = APIRouter(route_class=ThreadedRoute, tags=["check-in"])


@router.post("/checkins", response_model=CheckinResult, status_code=status.HTTP_201_CREATED)
def check_in(
    cmd: CheckinCreate, claims: FrontDeskOrKiosk, container: ContainerDep
) -> CheckinResult:
    """Decide at the door and record the decision, admitted or refused, with its reason."""
    return service.check_in(
        uow=container.uow(),
        eligibility=container.eligibility,
        events=container.events,
        claims=claims,
        cmd=cmd,
    )


@router.get("/checkins", response_model=CheckinPage)
def list_checkins(
    claims: AnyStaff,
    uow: UowDep,
    location_id: uuid.UUID | None = None,
    member_id: uuid.UUID | None = None,
    since: AwareDatetime | None = None,
    limit: int = Query(50, ge=1, le=500),
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
