"""HTTP routes of challenges: owners and managers run them (coaches read them); members
join, leave and see where they stand; both read the boards."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status

from server.api.deps import Admin, ContainerDep, UowDep, caller_where, staff_with
from server.api.exports import (
    FILE_RESPONSES,
    Export,
    FormatParam,
    download,
    period_filters,
    tables_of,
)
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.challenges import report, service
from server.challenges.schemas import (
    ChallengeCreate,
    ChallengePage,
    ChallengeRead,
    ChallengeUpdate,
    EngagementReportRead,
    Leaderboard,
    MyChallengePage,
    MyChallengeRead,
    TeamBoardRead,
)
from server.errors import Forbidden
from server.members.deps import MemberClaims
from server.ports.identity import AccessClaims
from shared.enums import PrincipalKind, StaffRole
from shared.inputs import Day

router = APIRouter(route_class=ThreadedRoute, tags=["challenges"])

_READERS = (StaffRole.OWNER, StaffRole.MANAGER, StaffRole.COACH)
Runners = Annotated[AccessClaims, Depends(staff_with(StaffRole.OWNER, StaffRole.MANAGER))]
Readers = Annotated[AccessClaims, Depends(staff_with(*_READERS))]


def _board_reader(claims: AccessClaims) -> None:
    if claims.kind is PrincipalKind.MEMBER:
        return
    if claims.kind is PrincipalKind.STAFF and claims.role in _READERS:
        return
    raise Forbidden("boards are for members, owners, managers and coaches")


BoardReaders = Annotated[AccessClaims, Depends(caller_where(_board_reader))]


@router.post("/challenges", response_model=ChallengeRead, status_code=status.HTTP_201_CREATED)
def create_challenge(cmd: ChallengeCreate, claims: Runners, uow: UowDep) -> ChallengeRead:
    """A new challenge. Refused (422): ending before it starts, an unknown metric, company
    or department teams (they come with corporate accounts), a circle team challenge
    without its circle."""
    return service.create_challenge(uow=uow, claims=claims, cmd=cmd)


@router.get("/challenges", response_model=ChallengePage)
def list_challenges(
    claims: Readers,
    uow: UowDep,
    state: Annotated[
        Literal["active", "upcoming", "finished", "cancelled"] | None,
        Query(alias="status", description="Only challenges in this state today"),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ChallengePage:
    """Challenges, the latest starts first, with their participant counts."""
    return service.list_challenges(uow=uow, claims=claims, status=state, limit=limit, offset=offset)


@router.get("/challenges/{challenge_id}", response_model=ChallengeRead)
def get_challenge(challenge_id: uuid.UUID, claims: Readers, uow: UowDep) -> ChallengeRead:
    return service.get_challenge(uow=uow, claims=claims, challenge_id=challenge_id)


@router.patch("/challenges/{challenge_id}", response_model=ChallengeRead)
def update_challenge(
    challenge_id: uuid.UUID,
    cmd: ChallengeUpdate,
    claims: Runners,
    container: ContainerDep,
) -> ChallengeRead:
    """Change the fields sent; a change to the end, grace, cap, self-reports or target
    rescores every participant from the ledger."""
    updated = service.update_challenge(
        uow=container.uow(), claims=claims, challenge_id=challenge_id, cmd=cmd
    )
    return updated.answer


@router.post("/challenges/{challenge_id}/cancel", response_model=ChallengeRead)
def cancel_challenge(challenge_id: uuid.UUID, claims: Runners, uow: UowDep) -> ChallengeRead:
    """Cancel: no one joins any more and scores stop moving. Cancelling twice is the same."""
    return service.cancel_challenge(uow=uow, claims=claims, challenge_id=challenge_id)


@router.get("/challenges/{challenge_id}/leaderboard", response_model=Leaderboard)
def leaderboard(
    challenge_id: uuid.UUID,
    claims: BoardReaders,
    uow: UowDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Leaderboard:
    """The board by score, ties to whoever got there first; standard competition ranks
    (1-2-2-4). Members appear as first name and last initial; a member also gets their own
    line (``mine``) wherever it is."""
    return service.leaderboard(
        uow=uow, claims=claims, challenge_id=challenge_id, limit=limit, offset=offset
    )


@router.get("/challenges/{challenge_id}/teams", response_model=TeamBoardRead)
def teams(challenge_id: uuid.UUID, claims: BoardReaders, uow: UowDep) -> TeamBoardRead:
    """The team board per capita (total over participants); teams below the minimum size
    are listed apart, unranked."""
    return service.teams(uow=uow, claims=claims, challenge_id=challenge_id)


@router.get("/me/challenges", response_model=MyChallengePage)
def my_challenges(
    claims: MemberClaims, uow: UowDep, limit: Limit = 50, offset: Offset = 0
) -> MyChallengePage:
    """Challenges open to join and those joined, with the member's score and rank."""
    return service.my_challenges(uow=uow, claims=claims, limit=limit, offset=offset)


@router.post("/me/challenges/{challenge_id}/join", response_model=MyChallengeRead)
def join(challenge_id: uuid.UUID, claims: MemberClaims, container: ContainerDep) -> MyChallengeRead:
    """Join; movement already in the window counts. Joining twice changes nothing. 409: a
    finished or cancelled challenge; 403: a circle's challenge for someone not in it."""
    joined = service.join(uow=container.uow(), claims=claims, challenge_id=challenge_id)
    return joined.answer


@router.post("/me/challenges/{challenge_id}/leave", status_code=status.HTTP_204_NO_CONTENT)
def leave(challenge_id: uuid.UUID, claims: MemberClaims, uow: UowDep) -> None:
    """Leave a challenge that has not finished; leaving one you are not in changes nothing."""
    service.leave(uow=uow, claims=claims, challenge_id=challenge_id)


@router.get(
    "/reports/engagement",
    response_model=EngagementReportRead,
    tags=["reports"],
    responses=FILE_RESPONSES,
)
def engagement_report(
    claims: Admin,
    container: ContainerDep,
    from_: Annotated[Day, Query(alias="from", description="First local day")],
    to: Annotated[Day, Query(description="Last local day")],
    location_id: Annotated[
        uuid.UUID | None, Query(description="One location; none: all yours")
    ] = None,
    format: FormatParam = "json",
) -> EngagementReportRead | Response:
    """Members by weekly streak (0, 1, 2–3, 4–7, 8+) and by adherence score band, as they
    stand now; challenges running in the period (joined, moved this week, completed);
    per class type attended in the period, the share of its attendees who moved again
    within 14 days (types with fewer than 5 left out); ratings per class and instructor.
    Members are counted at their home location."""
    figures = report.engagement_report(
        read_uow=container.read_uow,
        claims=claims,
        from_day=from_,
        to_day=to,
        location_id=location_id,
    )
    read = EngagementReportRead.model_validate(figures)
    if format == "json":
        return read
    place = str(location_id) if location_id else None
    shown = period_filters(from_, to, place)
    return download(Export("engagement", "Engagement", shown, tables_of(read)), format)
