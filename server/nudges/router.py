"""HTTP routes of nudges: a member's own history and settings, staff reading a member's
nudges, and the tenant's nudge policy."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from server.api.deps import Admin, AnyStaff, UowDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.members.deps import MemberClaims
from server.nudges import service
from server.nudges.schemas import (
    NudgePage,
    NudgePolicyRead,
    NudgePolicyWrite,
    NudgeSettingsRead,
    NudgeSettingsWrite,
)

router = APIRouter(route_class=ThreadedRoute, tags=["nudges"])


@router.get("/me/nudges", response_model=NudgePage)
def my_nudges(
    claims: MemberClaims, uow: UowDep, limit: Limit = 50, offset: Offset = 0
) -> NudgePage:
    """The nudges one was sent, newest first, each with why; skipped ones with the reason."""
    return service.member_nudges(
        uow=uow, tenant_id=claims.tenant_id, member_id=claims.subject_id, limit=limit, offset=offset
    )


@router.get("/me/nudge-settings", response_model=NudgeSettingsRead)
def my_nudge_settings(claims: MemberClaims, uow: UowDep) -> NudgeSettingsRead:
    """One's opt-outs per kind and quiet hours (defaults until changed: 21:00 to 08:00)."""
    return service.get_settings(uow=uow, tenant_id=claims.tenant_id, member_id=claims.subject_id)


@router.put("/me/nudge-settings", response_model=NudgeSettingsRead)
def put_my_nudge_settings(
    cmd: NudgeSettingsWrite, claims: MemberClaims, uow: UowDep
) -> NudgeSettingsRead:
    """Replace one's nudge settings; a time that is not HH:MM is a 422."""
    return service.put_settings(
        uow=uow, tenant_id=claims.tenant_id, member_id=claims.subject_id, cmd=cmd
    )


@router.get("/members/{member_id}/nudges", response_model=NudgePage)
def member_nudges(
    member_id: uuid.UUID, claims: AnyStaff, uow: UowDep, limit: Limit = 50, offset: Offset = 0
) -> NudgePage:
    """A member's nudges, newest first, sent or skipped, each with why."""
    return service.member_nudges(
        uow=uow, tenant_id=claims.tenant_id, member_id=member_id, limit=limit, offset=offset
    )


@router.get("/nudge-policy", response_model=NudgePolicyRead)
def nudge_policy(claims: Admin, uow: UowDep) -> NudgePolicyRead:
    """The tenant's weekly cap, reminder lead and lapse length."""
    return service.get_policy(uow=uow, tenant_id=claims.tenant_id)


@router.put("/nudge-policy", response_model=NudgePolicyRead)
def put_nudge_policy(cmd: NudgePolicyWrite, claims: Admin, uow: UowDep) -> NudgePolicyRead:
    """Replace the tenant's nudge policy (owners and managers)."""
    return service.put_policy(uow=uow, tenant_id=claims.tenant_id, cmd=cmd)
