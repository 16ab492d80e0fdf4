"""HTTP routes of movement prescription profiles: owners and managers write, every staff
role (coaches included) reads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from server.api.deps import Admin, AnyStaff, ContainerDep, UowDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.prescriptions import service
from server.prescriptions.schemas import (
    ProfileCreate,
    ProfilePage,
    ProfileRead,
    ProfileUpdate,
    ProfileVersionPage,
)

router = APIRouter(route_class=ThreadedRoute, tags=["prescription profiles"])


async def get_followers(request: Request) -> Sequence[service.ProfileFollower]:
    """The domains whose rows follow profiles, as bootstrap wired them."""
    followers: Sequence[service.ProfileFollower] = request.app.state.container.profile_followers
    return followers


FollowersDep = Annotated[Sequence[service.ProfileFollower], Depends(get_followers)]


@router.get("/prescription-profiles", response_model=ProfilePage)
def list_profiles(
    claims: AnyStaff,
    uow: UowDep,
    include_archived: bool = Query(False, description="Archived profiles too"),
    limit: Limit = 50,
    offset: Offset = 0,
) -> ProfilePage:
    """The tenant's library by name, each with its current version (the starter library
    is loaded on the first read)."""
    return service.list_profiles(
        uow=uow, claims=claims, include_archived=include_archived, limit=limit, offset=offset
    )


@router.post(
    "/prescription-profiles", response_model=ProfileRead, status_code=status.HTTP_201_CREATED
)
def create_profile(cmd: ProfileCreate, claims: Admin, container: ContainerDep) -> ProfileRead:
    """A new profile, version 1: known risk-flag and goal keys only, frequency min ≤ max,
    intensity within the ceiling, minutes above zero."""
    return service.create_profile(uow=container.uow(), claims=claims, cmd=cmd)


@router.get("/prescription-profiles/{profile_id}", response_model=ProfileRead)
def get_profile(profile_id: uuid.UUID, claims: AnyStaff, uow: UowDep) -> ProfileRead:
    return service.get_profile(uow=uow, claims=claims, profile_id=profile_id)


@router.get("/prescription-profiles/{profile_id}/versions", response_model=ProfileVersionPage)
def list_versions(
    profile_id: uuid.UUID, claims: AnyStaff, uow: UowDep, limit: Limit = 50, offset: Offset = 0
) -> ProfileVersionPage:
    """Every version, newest first."""
    return service.list_versions(
        uow=uow, claims=claims, profile_id=profile_id, limit=limit, offset=offset
    )


@router.patch("/prescription-profiles/{profile_id}", response_model=ProfileRead)
def update_profile(
    profile_id: uuid.UUID,
    cmd: ProfileUpdate,
    claims: Admin,
    container: ContainerDep,
    followers: FollowersDep,
) -> ProfileRead:
    """The fields sent change and make the next version; the session types and Tiles that
    follow the profile take its new values at once."""
    return service.update_profile(
        uow=container.uow(),
        followers=followers,
        claims=claims,
        profile_id=profile_id,
        cmd=cmd,
    )


@router.post("/prescription-profiles/{profile_id}/archive", response_model=ProfileRead)
def archive_profile(profile_id: uuid.UUID, claims: Admin, container: ContainerDep) -> ProfileRead:
    """No session type or Tile may choose it any more; those following it keep their values."""
    return service.archive_profile(uow=container.uow(), claims=claims, profile_id=profile_id)
