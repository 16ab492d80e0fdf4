"""HTTP routes of circles: staff manage them and their members and announce in them;
members list the open ones, join, leave and read announcements of those they are in."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from server.api.deps import AnyStaff, UowDep, caller_where, staff_with
from server.api.params import Day, Limit, Offset, Text
from server.api.threaded_route import ThreadedRoute
from server.circles import membership, service
from server.circles.schemas import (
    AnnouncementCreate,
    AnnouncementPage,
    AnnouncementRead,
    CircleCreate,
    CircleMemberPage,
    CircleMemberRead,
    CirclePage,
    CircleRead,
    CircleUpdate,
    MyCirclePage,
    MyCircleRead,
)
from server.errors import Forbidden
from server.members.deps import MemberClaims
from server.ports.identity import AccessClaims
from shared.enums import PrincipalKind, StaffRole

router = APIRouter(route_class=ThreadedRoute, tags=["circles"])


def _staff_or_member(claims: AccessClaims) -> None:
    if claims.kind not in (PrincipalKind.STAFF, PrincipalKind.MEMBER):
        raise Forbidden("this needs a staff or member account")


StaffOrMember = Annotated[AccessClaims, Depends(caller_where(_staff_or_member))]
#: Who may change circles at all; which circles a coach may change is the service's rule.
CircleStaff = Annotated[
    AccessClaims, Depends(staff_with(StaffRole.OWNER, StaffRole.MANAGER, StaffRole.COACH))
]


@router.get("/circles", response_model=CirclePage)
def list_circles(
    claims: StaffOrMember,
    uow: UowDep,
    interest: Annotated[Text | None, Query(max_length=50)] = None,
    location_id: uuid.UUID | None = None,
    include_archived: bool = Query(False, description="Staff: archived circles too"),
    limit: Limit = 50,
    offset: Offset = 0,
) -> CirclePage:
    """Circles by name. Staff: every circle of their locations and the tenant-wide ones;
    members: the open circles they may join (``/me/circles`` lists the ones they are in)."""
    return service.list_circles(
        uow=uow,
        claims=claims,
        interest=interest,
        location_id=location_id,
        include_archived=include_archived,
        limit=limit,
        offset=offset,
    )


@router.post("/circles", response_model=CircleRead, status_code=status.HTTP_201_CREATED)
def create_circle(cmd: CircleCreate, claims: CircleStaff, uow: UowDep) -> CircleRead:
    """A new circle. Owners and managers; a coach creates circles they lead themselves."""
    return service.create_circle(uow=uow, claims=claims, cmd=cmd)


@router.get("/circles/{circle_id}", response_model=CircleRead)
def get_circle(circle_id: uuid.UUID, claims: StaffOrMember, uow: UowDep) -> CircleRead:
    """A circle: staff who reach its location; members unless it is archived."""
    return service.get_circle(uow=uow, claims=claims, circle_id=circle_id)


@router.patch("/circles/{circle_id}", response_model=CircleRead)
def update_circle(
    circle_id: uuid.UUID, cmd: CircleUpdate, claims: CircleStaff, uow: UowDep
) -> CircleRead:
    """Change the fields sent. Owners, managers and the coach who leads the circle."""
    return service.update_circle(uow=uow, claims=claims, circle_id=circle_id, cmd=cmd)


@router.delete("/circles/{circle_id}", status_code=status.HTTP_204_NO_CONTENT)
def archive_circle(circle_id: uuid.UUID, claims: CircleStaff, uow: UowDep) -> None:
    """Archive a circle (DELETE): members no longer see it; its history stays."""
    service.archive_circle(uow=uow, claims=claims, circle_id=circle_id)


@router.get("/circles/{circle_id}/members", response_model=CircleMemberPage)
def list_members(
    circle_id: uuid.UUID,
    claims: AnyStaff,
    uow: UowDep,
    on: Annotated[
        Day | None,
        Query(description="Everyone who was a member at some moment of this day instead"),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CircleMemberPage:
    """The circle's members in the order they joined; with ``on``, every membership that
    covered some moment of that day (in the zone of the circle's location, UTC for a
    tenant-wide circle), ended since or not: one item per membership, so someone who left
    and joined again that day appears twice, with both sets of dates. Owners, managers,
    front desk, and the coach who leads the circle."""
    return service.list_members(
        uow=uow, claims=claims, circle_id=circle_id, on=on, limit=limit, offset=offset
    )


@router.put("/circles/{circle_id}/members/{member_id}", response_model=CircleMemberRead)
def add_member(
    circle_id: uuid.UUID, member_id: uuid.UUID, claims: CircleStaff, uow: UowDep
) -> CircleMemberRead:
    """Add a member (the way into an invite-only circle). Someone in already stays as is."""
    return service.add_member(uow=uow, claims=claims, circle_id=circle_id, member_id=member_id)


@router.delete("/circles/{circle_id}/members/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(
    circle_id: uuid.UUID, member_id: uuid.UUID, claims: CircleStaff, uow: UowDep
) -> None:
    """Take a member out of the circle; their past membership stays in its history."""
    service.remove_member(uow=uow, claims=claims, circle_id=circle_id, member_id=member_id)


@router.post(
    "/circles/{circle_id}/announcements",
    response_model=AnnouncementRead,
    status_code=status.HTTP_201_CREATED,
)
def announce(
    circle_id: uuid.UUID, cmd: AnnouncementCreate, claims: CircleStaff, uow: UowDep
) -> AnnouncementRead:
    """An announcement to the circle's members, optionally about a challenge."""
    return service.announce(uow=uow, claims=claims, circle_id=circle_id, cmd=cmd)


@router.get("/circles/{circle_id}/announcements", response_model=AnnouncementPage)
def list_announcements(
    circle_id: uuid.UUID,
    claims: StaffOrMember,
    uow: UowDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> AnnouncementPage:
    """Newest first: for staff who reach the circle, and for its current members."""
    return service.announcements(
        uow=uow, claims=claims, circle_id=circle_id, limit=limit, offset=offset
    )


@router.get("/me/circles", response_model=MyCirclePage)
def my_circles(
    claims: MemberClaims, uow: UowDep, limit: Limit = 50, offset: Offset = 0
) -> MyCirclePage:
    """The circles the member is in now, by name, with when they joined."""
    return membership.my_circles(uow=uow, claims=claims, limit=limit, offset=offset)


@router.post("/me/circles/{circle_id}/join", response_model=MyCircleRead)
def join_circle(circle_id: uuid.UUID, claims: MemberClaims, uow: UowDep) -> MyCircleRead:
    """Join an open circle; joining one you are in already changes nothing."""
    return membership.join(uow=uow, claims=claims, circle_id=circle_id)


@router.post("/me/circles/{circle_id}/leave", status_code=status.HTTP_204_NO_CONTENT)
def leave_circle(circle_id: uuid.UUID, claims: MemberClaims, uow: UowDep) -> None:
    """Leave a circle; leaving one you are not in changes nothing."""
    membership.leave(uow=uow, claims=claims, circle_id=circle_id)
