"""HTTP routes of the movement ledger. Thin: parse, call the service, return."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from server.api.deps import Admin, AnyStaff, ContainerDep, ReadUowDep, UowDep
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
from server.db.uow import UnitOfWork
from server.engagement import ratings, service
from server.engagement.schemas import (
    CheckOut,
    MovementCorrection,
    MovementEventCreate,
    MovementEventPage,
    MovementEventRead,
    MovementVoid,
    RatingCreate,
    RatingLineRead,
    RatingRead,
    RatingsReport,
    SelfReportCreate,
)
from server.errors import NotFound
from server.members.deps import MemberClaims
from server.ports.identity import AccessClaims
from shared.enums import MovementKind, StaffRole
from shared.inputs import Day
from shared.movement import MovementSource, Provenance

router = APIRouter(route_class=ThreadedRoute, tags=["movement"])

Kinds = Annotated[list[MovementKind] | None, Query(description="Only these kinds")]
_CREATED = {200: {"model": MovementEventRead, "description": "Known id: the first event"}}


def _answer(entered: service.Entered, response: Response) -> MovementEventRead:
    response.status_code = status.HTTP_201_CREATED if entered.created else status.HTTP_200_OK
    return MovementEventRead.model_validate(entered.entry)


@router.post(
    "/movement-events",
    response_model=MovementEventRead,
    status_code=status.HTTP_201_CREATED,
    responses=_CREATED,  # type: ignore[arg-type]
)
def record_event(
    cmd: MovementEventCreate, claims: AnyStaff, container: ContainerDep, response: Response
) -> MovementEventRead:
    """Record a staff entry or an outdoor activity for a member: staff-recorded. Refused
    (422, nothing stored): in the future, negative minutes, more than the day's plausible
    total for the member."""
    _reach(container, claims, cmd.member_id, cmd.location_id)
    coach = claims.role is StaffRole.COACH
    facts = service.MovementFacts(
        member_id=cmd.member_id,
        kind=MovementKind(cmd.kind),
        occurred_at=cmd.occurred_at,
        minutes=cmd.minutes,
        intensity=cmd.intensity,
        provenance=Provenance.STAFF_RECORDED,
        source=(MovementSource.COACH if coach else MovementSource.DESK).value,
        location_id=cmd.location_id,
        recorded_by=claims.subject_id,
    )
    entered = service.enter_movement(
        uow=container.uow(), tenant_id=claims.tenant_id, facts=facts, event_id=cmd.id
    )
    return _answer(entered, response)


def _reach(
    container: ContainerDep,
    claims: AccessClaims,
    member_id: uuid.UUID,
    location_id: uuid.UUID | None,
) -> None:
    """A member and a location named in a body are checked as in a path: a limited member
    of staff reaches their own locations' only."""
    if location_id is not None and not claims.sees_location(location_id):
        raise NotFound(f"location {location_id} was not found")
    if claims.location_ids is not None:
        ids = {"member_id": member_id}
        if location_id is not None:
            ids["location_id"] = location_id
        container.location_scope.check(container.read_uow(), claims, ids)


@router.post(
    "/me/movement-events",
    response_model=MovementEventRead,
    status_code=status.HTTP_201_CREATED,
    responses=_CREATED,  # type: ignore[arg-type]
)
def report_my_movement(
    cmd: SelfReportCreate, claims: MemberClaims, container: ContainerDep, response: Response
) -> MovementEventRead:
    """Report movement of one's own: self-reported, from the app."""
    facts = service.MovementFacts(
        member_id=claims.subject_id,
        kind=MovementKind.SELF_REPORT,
        occurred_at=cmd.occurred_at,
        minutes=cmd.minutes,
        intensity=cmd.intensity,
        provenance=Provenance.SELF_REPORTED,
        source=MovementSource.APP.value,
        recorded_by=claims.subject_id,
    )
    entered = service.enter_movement(
        uow=container.uow(), tenant_id=claims.tenant_id, facts=facts, event_id=cmd.id
    )
    return _answer(entered, response)


def _page(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    since: date | None,
    until: date | None,
    kind: list[MovementKind] | None,
    limit: int,
    offset: int,
) -> MovementEventPage:
    items, next_offset = service.member_movement(
        uow=uow,
        tenant_id=tenant_id,
        member_id=member_id,
        since=since,
        until=until,
        kinds=[k.value for k in kind or ()],
        limit=limit,
        offset=offset,
    )
    return MovementEventPage(
        items=[MovementEventRead.model_validate(i) for i in items], next_offset=next_offset
    )


@router.get("/members/{member_id}/movement", response_model=MovementEventPage)
def member_movement(
    member_id: uuid.UUID,
    claims: AnyStaff,
    uow: UowDep,
    since: Day | None = Query(None, description="From this local date"),
    until: Day | None = Query(None, description="Up to this local date, included"),
    kind: Kinds = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> MovementEventPage:
    """The member's movement events, oldest first, voids and corrections included."""
    return _page(uow, claims.tenant_id, member_id, since, until, kind, limit, offset)


@router.get("/me/movement", response_model=MovementEventPage)
def my_movement(
    claims: MemberClaims,
    uow: UowDep,
    since: Day | None = Query(None, description="From this local date"),
    until: Day | None = Query(None, description="Up to this local date, included"),
    kind: Kinds = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> MovementEventPage:
    """One's own movement events, oldest first."""
    return _page(uow, claims.tenant_id, claims.subject_id, since, until, kind, limit, offset)


@router.post(
    "/movement-events/{movement_event_id}/void",
    response_model=MovementEventRead,
    status_code=status.HTTP_201_CREATED,
)
def void_event(
    movement_event_id: uuid.UUID, cmd: MovementVoid, claims: AnyStaff, container: ContainerDep
) -> MovementEventRead:
    """Cancel an event: a new event, carrying no movement, that names it. A void is not
    voided (409), nor is an event voided or corrected already (409)."""
    entered = service.void_movement(
        uow=container.uow(),
        tenant_id=claims.tenant_id,
        event_id=movement_event_id,
        reason=cmd.reason,
        recorded_by=claims.subject_id,
    )
    return MovementEventRead.model_validate(entered.entry)


@router.post(
    "/movement-events/{movement_event_id}/correction",
    response_model=MovementEventRead,
    status_code=status.HTTP_201_CREATED,
)
def correct_event(
    movement_event_id: uuid.UUID,
    cmd: MovementCorrection,
    claims: AnyStaff,
    container: ContainerDep,
) -> MovementEventRead:
    """Correct an event: a new, staff-recorded event with the corrected facts that voids
    the old one (which keeps its facts)."""
    entered = service.correct_movement(
        uow=container.uow(),
        tenant_id=claims.tenant_id,
        event_id=movement_event_id,
        minutes=cmd.minutes,
        intensity=cmd.intensity,
        occurred_at=cmd.occurred_at,
        reason=cmd.reason,
        recorded_by=claims.subject_id,
        provenance=Provenance.STAFF_RECORDED,
        source=MovementSource.DESK.value,
    )
    return MovementEventRead.model_validate(entered.entry)


@router.post(
    "/me/checkins/{checkin_id}/checkout",
    response_model=MovementEventRead,
    status_code=status.HTTP_201_CREATED,
)
def check_out_of_visit(
    checkin_id: uuid.UUID, cmd: CheckOut, claims: MemberClaims, container: ContainerDep
) -> MovementEventRead:
    """Confirm one's visit and its minutes: the visit's movement is corrected by a new event
    (or voided when not completed). Checking out again replaces the last confirmation."""
    entered = ratings.check_out(
        uow=container.uow(),
        claims=claims,
        minutes=cmd.minutes,
        completed=cmd.completed,
        checkin_id=checkin_id,
    )
    return MovementEventRead.model_validate(entered.entry)


@router.post(
    "/me/sessions/{session_id}/checkout",
    response_model=MovementEventRead,
    status_code=status.HTTP_201_CREATED,
)
def check_out_of_class(
    session_id: uuid.UUID, cmd: CheckOut, claims: MemberClaims, container: ContainerDep
) -> MovementEventRead:
    """The same for a class one attended (409 for a class one did not)."""
    entered = ratings.check_out(
        uow=container.uow(),
        claims=claims,
        minutes=cmd.minutes,
        completed=cmd.completed,
        session_id=session_id,
    )
    return MovementEventRead.model_validate(entered.entry)


@router.post("/me/sessions/{session_id}/rating", response_model=RatingRead)
def rate_class(
    session_id: uuid.UUID, cmd: RatingCreate, claims: MemberClaims, uow: UowDep
) -> RatingRead:
    """Rate a class one attended, 1–5 with a comment; rating it again changes the rating.
    409 for a class one did not attend."""
    rated = ratings.rate_session(
        uow=uow, claims=claims, session_id=session_id, score=cmd.score, comment=cmd.comment
    )
    return RatingRead.model_validate(rated)


@router.get("/reports/ratings", response_model=RatingsReport, responses=FILE_RESPONSES)
def ratings_report(
    claims: Admin,
    uow: ReadUowDep,
    from_: Annotated[Day, Query(alias="from", description="First local day")],
    to: Annotated[Day, Query(description="Last local day")],
    location_id: Annotated[
        uuid.UUID | None, Query(description="One location; none: all yours")
    ] = None,
    format: FormatParam = "json",
) -> RatingsReport | Response:
    """Members' ratings of classes held between two local days, per class type and
    instructor: how many and the average, most rated first."""
    lines = ratings.ratings_report(
        uow=uow, claims=claims, from_day=from_, to_day=to, location_id=location_id
    )
    report = RatingsReport(items=[RatingLineRead.model_validate(line) for line in lines])
    if format == "json":
        return report
    place = str(location_id) if location_id else None
    shown = period_filters(from_, to, place)
    return download(Export("ratings", "Class ratings", shown, tables_of(report)), format)
