"""HTTP routes of coaching: a coach's members, a member's timeline, contacts, messages
and lead coaches. Owners, managers and coaches; a coach reaches only their own members."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from server.api.deps import Admin, ContainerDep, UowDep, staff_with
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.coaching import service
from server.coaching.schemas import (
    CoachingMemberPage,
    CoachingPolicyBody,
    CoachingPolicyRead,
    CoachMessageCreate,
    CoachMessageRead,
    ContactCreate,
    ContactRead,
    LeadCoachRead,
    LeadCoachWrite,
    Standing,
    TimelinePage,
)
from server.ports.identity import AccessClaims
from shared.enums import StaffRole
from shared.inputs import Moment

router = APIRouter(route_class=ThreadedRoute, tags=["coaching"])

CoachingStaff = Annotated[
    AccessClaims, Depends(staff_with(StaffRole.OWNER, StaffRole.MANAGER, StaffRole.COACH))
]


@router.get("/coaching/members", response_model=CoachingMemberPage)
def list_members(
    claims: CoachingStaff,
    uow: UowDep,
    container: ContainerDep,
    coach_id: uuid.UUID | None = Query(None, description="Managers: one coach's members"),
    standing: Standing | None = Query(None, alias="status", description="slipping or steady"),
    limit: Limit = 50,
    offset: Offset = 0,
) -> CoachingMemberPage:
    """A coach's members (owners and managers: everyone's, or ``coach_id``'s): those
    slipping below the threshold or inactive for 14 days first, most at risk first, then
    the rest by name."""
    return service.list_members(
        uow=uow,
        claims=claims,
        risk=container.risk_reader,
        coach_id=coach_id,
        standing=None if standing is None else standing.value,
        limit=limit,
        offset=offset,
    )


@router.get("/coaching/members/{member_id}/timeline", response_model=TimelinePage)
def member_timeline(
    member_id: uuid.UUID,
    claims: CoachingStaff,
    uow: UowDep,
    container: ContainerDep,
    before: Annotated[Moment | None, Query(description="Entries older than this")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TimelinePage:
    """Movement, classes, journey events, nudges, contacts and lead-coach changes, newest
    first."""
    sealer = container.sealer
    return service.timeline(
        uow=uow,
        claims=claims,
        sealer=sealer,
        member_id=member_id,
        before=before,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/coaching/members/{member_id}/contacts",
    response_model=ContactRead,
    status_code=status.HTTP_201_CREATED,
)
def add_contact(
    member_id: uuid.UUID,
    cmd: ContactCreate,
    claims: CoachingStaff,
    uow: UowDep,
    container: ContainerDep,
) -> ContactRead:
    """A note, a call (with its outcome) or a referral (to whom); the text is sealed."""
    sealer = container.sealer
    return service.add_contact(uow=uow, claims=claims, sealer=sealer, member_id=member_id, cmd=cmd)


@router.post(
    "/coaching/members/{member_id}/messages",
    response_model=CoachMessageRead,
    status_code=status.HTTP_201_CREATED,
)
def send_message(
    member_id: uuid.UUID,
    cmd: CoachMessageCreate,
    claims: CoachingStaff,
    uow: UowDep,
    container: ContainerDep,
) -> CoachMessageRead:
    """A short message to the member, as a nudge: skipped if they opted out of coach
    messages, held through their quiet hours."""
    sealer = container.sealer
    return service.send_message(uow=uow, claims=claims, sealer=sealer, member_id=member_id, cmd=cmd)


@router.get("/coaching/members/{member_id}/coach", response_model=LeadCoachRead)
def get_lead_coach(member_id: uuid.UUID, claims: CoachingStaff, uow: UowDep) -> LeadCoachRead:
    return service.get_lead_coach(uow=uow, claims=claims, member_id=member_id)


@router.put("/coaching/members/{member_id}/coach", response_model=LeadCoachRead)
def set_lead_coach(
    member_id: uuid.UUID, cmd: LeadCoachWrite, claims: Admin, uow: UowDep
) -> LeadCoachRead:
    """Owners and managers: the member's lead coach (``null``: none); the change is kept."""
    return service.set_lead_coach(uow=uow, claims=claims, member_id=member_id, cmd=cmd)


@router.get("/coaching/policy", response_model=CoachingPolicyRead)
def get_policy(claims: CoachingStaff, uow: UowDep) -> CoachingPolicyRead:
    return service.get_policy(uow=uow, claims=claims)


@router.put("/coaching/policy", response_model=CoachingPolicyRead)
def put_policy(cmd: CoachingPolicyBody, claims: Admin, uow: UowDep) -> CoachingPolicyRead:
    """Owners and managers: the adherence score below which a member is slipping."""
    return service.put_policy(uow=uow, claims=claims, cmd=cmd)
