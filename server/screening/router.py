"""HTTP routes of screening: a member's questionnaire, staff clearances and risk flags, and
flags received through the integration port. Thin: parse, call, return."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from server.api.deps import Admin, AnyStaff, UowDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.db.sealed import FieldSealer
from server.members.deps import MemberClaims
from server.ports.risk import CoachedMembers
from server.screening import service
from server.screening.schemas import (
    ClearanceRead,
    ClearanceWrite,
    IntegrationRiskFlags,
    MyScreening,
    RiskFlagPage,
    RiskFlagRead,
    RiskFlagWrite,
    ScreeningRead,
    ScreeningWrite,
)

router = APIRouter(route_class=ThreadedRoute, tags=["screening"])


async def get_sealer(request: Request) -> FieldSealer:
    """The process's sealer of health data, built with the container."""
    sealer: FieldSealer = request.app.state.container.sealer
    return sealer


SealerDep = Annotated[FieldSealer, Depends(get_sealer)]


async def get_coached(request: Request) -> CoachedMembers:
    """Whom each coach looks after: a coach reads those members' health data."""
    coached: CoachedMembers = request.app.state.container.coached_members
    return coached


CoachedDep = Annotated[CoachedMembers, Depends(get_coached)]


@router.get("/me/screening", response_model=MyScreening)
def my_screening(claims: MemberClaims, uow: UowDep, sealer: SealerDep) -> MyScreening:
    """The questions, one's latest answers and outcome, and whether a clearance is awaited."""
    return service.my_screening(uow=uow, sealer=sealer, claims=claims)


@router.post("/me/screening", response_model=ScreeningRead, status_code=status.HTTP_201_CREATED)
def answer_screening(
    cmd: ScreeningWrite,
    claims: MemberClaims,
    uow: UowDep,
    sealer: SealerDep,
    coached: CoachedDep,
) -> ScreeningRead:
    """Answer the questionnaire: every question, and every follow-up of a yes (else 422)."""
    return service.record_screening(
        uow=uow,
        sealer=sealer,
        coached=coached,
        claims=claims,
        member_id=claims.subject_id,
        cmd=cmd,
    )


@router.get("/members/{member_id}/screening", response_model=ScreeningRead)
def member_screening(
    member_id: uuid.UUID, claims: AnyStaff, uow: UowDep, sealer: SealerDep, coached: CoachedDep
) -> ScreeningRead:
    """Owners, managers and coaches (their classes' members): the answers, outcome and
    clearances. Front desk staff: only whether a clearance is awaited."""
    return service.member_screening(
        uow=uow, sealer=sealer, coached=coached, claims=claims, member_id=member_id
    )


@router.post(
    "/members/{member_id}/screening",
    response_model=ScreeningRead,
    status_code=status.HTTP_201_CREATED,
)
def enter_screening(
    member_id: uuid.UUID,
    cmd: ScreeningWrite,
    claims: AnyStaff,
    uow: UowDep,
    sealer: SealerDep,
    coached: CoachedDep,
) -> ScreeningRead:
    """Enter a questionnaire the member filled in on paper."""
    return service.record_screening(
        uow=uow,
        sealer=sealer,
        coached=coached,
        claims=claims,
        member_id=member_id,
        cmd=cmd,
    )


@router.post(
    "/members/{member_id}/clearances",
    response_model=ClearanceRead,
    status_code=status.HTTP_201_CREATED,
)
def clear_member(
    member_id: uuid.UUID,
    cmd: ClearanceWrite,
    claims: AnyStaff,
    uow: UowDep,
    sealer: SealerDep,
    coached: CoachedDep,
) -> ClearanceRead:
    """Clear the member's latest questionnaire (by the caller, on ``evidence``); it holds for
    twelve months. 422 when no questionnaire needs one or the date is in the future."""
    return service.clear(
        uow=uow, sealer=sealer, coached=coached, claims=claims, member_id=member_id, cmd=cmd
    )


@router.post("/members/{member_id}/clearances/{clearance_id}/revoke", response_model=ClearanceRead)
def revoke_clearance(
    member_id: uuid.UUID,
    clearance_id: uuid.UUID,
    claims: AnyStaff,
    uow: UowDep,
    sealer: SealerDep,
    coached: CoachedDep,
) -> ClearanceRead:
    return service.revoke_clearance(
        uow=uow,
        sealer=sealer,
        coached=coached,
        claims=claims,
        member_id=member_id,
        clearance_id=clearance_id,
    )


@router.get("/members/{member_id}/risk-flags", response_model=RiskFlagPage)
def member_flags(
    member_id: uuid.UUID,
    claims: AnyStaff,
    uow: UowDep,
    sealer: SealerDep,
    coached: CoachedDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> RiskFlagPage:
    """The member's risk flags, active and ended, each with its source and date."""
    return service.member_flags(
        uow=uow,
        sealer=sealer,
        coached=coached,
        claims=claims,
        member_id=member_id,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/members/{member_id}/risk-flags",
    response_model=RiskFlagRead,
    status_code=status.HTTP_201_CREATED,
)
def add_flag(
    member_id: uuid.UUID,
    cmd: RiskFlagWrite,
    claims: AnyStaff,
    uow: UowDep,
    sealer: SealerDep,
    coached: CoachedDep,
) -> RiskFlagRead:
    return service.add_flag(
        uow=uow, sealer=sealer, coached=coached, claims=claims, member_id=member_id, cmd=cmd
    )


@router.post("/members/{member_id}/risk-flags/{flag_id}/end", response_model=RiskFlagRead)
def end_flag(
    member_id: uuid.UUID,
    flag_id: uuid.UUID,
    claims: AnyStaff,
    uow: UowDep,
    sealer: SealerDep,
    coached: CoachedDep,
) -> RiskFlagRead:
    return service.end_flag(
        uow=uow, sealer=sealer, coached=coached, claims=claims, member_id=member_id, flag_id=flag_id
    )


@router.post(
    "/integrations/risk-flags",
    response_model=list[RiskFlagRead],
    status_code=status.HTTP_201_CREATED,
)
def receive_flags(
    cmd: IntegrationRiskFlags, claims: Admin, uow: UowDep, sealer: SealerDep
) -> list[RiskFlagRead]:
    """Risk flags reported by another system (owners and managers: there is no integration
    principal yet); each is kept with source ``integration``."""
    return service.receive_flags(uow=uow, sealer=sealer, claims=claims, cmd=cmd)
