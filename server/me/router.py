"""HTTP routes of what a signed-in member reads about themselves. Member tokens only."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter

from server.api.deps import ReadUowDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.me import service
from server.me.schemas import MyBookingPage, MyCheckinPage, MyMembershipPage, MySession
from server.members.deps import MemberClaims

router = APIRouter(route_class=ThreadedRoute, tags=["me"])


@router.get("/me/memberships", response_model=MyMembershipPage)
def my_memberships(
    claims: MemberClaims, uow: ReadUowDep, limit: Limit = 50, offset: Offset = 0
) -> MyMembershipPage:
    """The member's memberships, newest first: plan, status, credits left, visits used this
    period and when the count starts again, expiry, and the next renewal if any."""
    return service.memberships(uow=uow, claims=claims, limit=limit, offset=offset)


@router.get("/me/checkins", response_model=MyCheckinPage)
def my_checkins(
    claims: MemberClaims,
    uow: ReadUowDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> MyCheckinPage:
    """The member's visits, latest first, with the location's name and local time."""
    return service.checkins(uow=uow, claims=claims, limit=limit, offset=offset)


@router.get("/me/bookings", response_model=MyBookingPage)
def my_bookings(
    claims: MemberClaims,
    uow: ReadUowDep,
    when: Literal["upcoming", "past"] = "upcoming",
    limit: Limit = 50,
    offset: Offset = 0,
) -> MyBookingPage:
    """The member's bookings (upcoming: soonest first; past: latest first) with the class's
    name, location, instructor, and local start and end times with the zone."""
    return service.bookings(
        uow=uow, claims=claims, upcoming=when == "upcoming", limit=limit, offset=offset
    )


@router.get("/me/sessions/{session_id}", response_model=MySession)
def my_session(session_id: uuid.UUID, claims: MemberClaims, uow: ReadUowDep) -> MySession:
    """A class of the member's provider: name, location, instructor, local start and end,
    places left, and the member's own booking of it (with their place in line)."""
    return service.session(uow=uow, claims=claims, session_id=session_id)
