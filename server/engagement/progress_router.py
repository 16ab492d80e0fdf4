"""HTTP routes of members' engagement: streaks, the adherence score, goals, points, badges
and streak pauses. Thin: parse, call the use case, return."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from server.api.deps import AnyStaff, ContainerDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.engagement import progress
from server.engagement.projection import Projector
from server.engagement.schemas import EngagementOut, GoalUpdate, PauseCreate, PauseOut, PausePage
from server.members.deps import MemberClaims
from shared.clock import utcnow
from shared.engagement.goals import GoalKind

SCORE_FORMULA = """
**Streaks** count local calendar dates in the member's zone (from the tenant's day-start
hour): a day counts with 10 moderate-equivalent minutes, a week with 150. A missed period
uses a freeze (one earned every 7 days or 4 weeks counted, at most 2 held), else may be
repaired in the 48 hours after it; a pause (at most 90 days) breaks nothing.

**Movement Adherence Score** (0–1), an exponential moving average of the weekly dose:

    dose_w  = min(1, (moderate_w + 2 × vigorous_w) / target)   target: 150 (WHO)
    m       = 0.5 ** (sqrt(f) / 13)                            f: prescribed sessions a week (3)
    score_w = score_{w-1} × m + dose_w × (1 − m)               score before the first week: 0

One step per calendar week (an idle week is a step with dose 0); the week in progress counts
as if it ended now.
"""

router = APIRouter(route_class=ThreadedRoute, tags=["engagement"])


async def get_projector(request: Request) -> Projector:
    """The process's projector, with the observers bootstrap plugged in."""
    projector: Projector = request.app.state.container.projector()
    return projector


ProjectorDep = Annotated[Projector, Depends(get_projector)]


def _read(
    container: ContainerDep, projector: Projector, tenant_id: uuid.UUID, member_id: uuid.UUID
) -> EngagementOut:
    found = progress.engagement_of(
        make_uow=container.uow,
        projector=projector,
        tenant_id=tenant_id,
        member_id=member_id,
        now=utcnow(),
    )
    return EngagementOut.model_validate(found)


@router.get("/me/engagement", response_model=EngagementOut, description=SCORE_FORMULA)
def my_engagement(
    claims: MemberClaims, container: ContainerDep, projector: ProjectorDep
) -> EngagementOut:
    """One's streaks, score, goal, points and badges, the latest movement included."""
    return _read(container, projector, claims.tenant_id, claims.subject_id)


@router.get(
    "/members/{member_id}/engagement", response_model=EngagementOut, description=SCORE_FORMULA
)
def member_engagement(
    member_id: uuid.UUID, claims: AnyStaff, container: ContainerDep, projector: ProjectorDep
) -> EngagementOut:
    """A member's streaks, score, goal, points and badges."""
    return _read(container, projector, claims.tenant_id, member_id)


@router.put("/me/goal", status_code=status.HTTP_204_NO_CONTENT)
def set_my_goal(cmd: GoalUpdate, claims: MemberClaims, container: ContainerDep) -> None:
    """Set one's weekly goal: 1–21 sessions or 10–3000 minutes (422 otherwise)."""
    kind = GoalKind(cmd.kind)
    progress.set_goal(
        uow=container.uow(),
        tenant_id=claims.tenant_id,
        member_id=claims.subject_id,
        kind=kind,
        target=cmd.target,
    )


@router.post(
    "/members/{member_id}/streak-pauses",
    response_model=PauseOut,
    status_code=status.HTTP_201_CREATED,
)
def pause_streaks(
    member_id: uuid.UUID, cmd: PauseCreate, claims: AnyStaff, container: ContainerDep
) -> PauseOut:
    """Pause a member's streaks (illness, travel, coach-approved rest), at most 90 days."""
    found = progress.add_pause(
        uow=container.uow(),
        tenant_id=claims.tenant_id,
        member_id=member_id,
        starts_on=cmd.starts_on,
        ends_on=cmd.ends_on,
        reason=cmd.reason,
        note=cmd.note,
        recorded_by=claims.subject_id,
    )
    return PauseOut.model_validate(found)


@router.get("/members/{member_id}/streak-pauses", response_model=PausePage)
def streak_pauses(
    member_id: uuid.UUID,
    claims: AnyStaff,
    container: ContainerDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PausePage:
    """A member's streak pauses, earliest first."""
    found, next_offset = progress.pauses_of(
        uow=container.uow(),
        tenant_id=claims.tenant_id,
        member_id=member_id,
        limit=limit,
        offset=offset,
    )
    return PausePage(items=[PauseOut.model_validate(p) for p in found], next_offset=next_offset)
