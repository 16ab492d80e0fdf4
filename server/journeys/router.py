"""HTTP routes of enrolments: joining a journey, its lifecycle, a coach's adjustments,
assessments and a completed journey's certificate."""

from __future__ import annotations

import uuid
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Request, Response, status

from server.api.deps import AnyStaff, ContainerDep, UowDep, get_claims
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.journeys import certificate, service
from server.journeys.schemas import (
    Adjustment,
    AssessmentRead,
    AssessmentWrite,
    EnrolmentDetail,
    EnrolmentPage,
    EnrolmentRead,
    OfferPage,
    SelfEnrol,
    StaffEnrol,
    Transition,
)
from server.members.deps import MemberClaims
from server.ports.identity import AccessClaims
from server.ports.risk import EnrolmentGate
from shared.carepath.enrolment import EnrolmentStatus

T = TypeVar("T")

router = APIRouter(route_class=ThreadedRoute, tags=["journeys"])


async def get_gate(request: Request) -> EnrolmentGate:
    """The process's screening gate, built with the container."""
    gate: EnrolmentGate = request.app.state.container.enrolment_gate
    return gate


GateDep = Annotated[EnrolmentGate, Depends(get_gate)]
Caller = Annotated[AccessClaims, Depends(get_claims)]


def _page(found: list[T], limit: int, offset: int) -> tuple[list[T], int | None]:
    """A page of a list the service ranks whole (a member's journeys and offers are few)."""
    more = len(found) > offset + limit
    return found[offset : offset + limit], offset + limit if more else None


@router.get("/me/journeys/offers", response_model=OfferPage)
def my_offers(
    claims: MemberClaims, uow: UowDep, gate: GateDep, limit: Limit = 50, offset: Offset = 0
) -> OfferPage:
    """The journeys one may join, those that suit one's risk flags first with why, each
    with what counts toward it (or why not)."""
    items, next_offset = _page(service.offers(uow, gate, claims, claims.subject_id), limit, offset)
    return OfferPage(items=items, next_offset=next_offset)


@router.get("/me/journeys", response_model=EnrolmentPage)
def my_journeys(
    claims: MemberClaims, uow: UowDep, limit: Limit = 50, offset: Offset = 0
) -> EnrolmentPage:
    """One's enrolments, newest start first."""
    found = service.enrolments_of(uow, claims, claims.subject_id)
    items, next_offset = _page(found, limit, offset)
    return EnrolmentPage(items=items, next_offset=next_offset)


@router.post(
    "/me/journeys/enrolments", response_model=EnrolmentRead, status_code=status.HTTP_201_CREATED
)
def enrol_me(
    cmd: SelfEnrol, claims: MemberClaims, container: ContainerDep, gate: GateDep
) -> EnrolmentRead:
    """Join a journey (its current version), from the coming Monday or a chosen date not in
    the past; 409 when screening does not allow it or one is on it already."""
    read, _ = service.enrol(
        container.uow(),
        gate,
        claims,
        member_id=claims.subject_id,
        template_id=cmd.template_id,
        starts_on=cmd.starts_on,
    )
    return read


@router.get("/members/{member_id}/journeys", response_model=EnrolmentPage)
def member_journeys(
    member_id: uuid.UUID, claims: AnyStaff, uow: UowDep, limit: Limit = 50, offset: Offset = 0
) -> EnrolmentPage:
    """A member's enrolments (a coach sees those they coach)."""
    items, next_offset = _page(service.enrolments_of(uow, claims, member_id), limit, offset)
    return EnrolmentPage(items=items, next_offset=next_offset)


@router.post(
    "/members/{member_id}/journeys",
    response_model=EnrolmentRead,
    status_code=status.HTTP_201_CREATED,
)
def enrol_member(
    member_id: uuid.UUID,
    cmd: StaffEnrol,
    claims: AnyStaff,
    container: ContainerDep,
    gate: GateDep,
) -> EnrolmentRead:
    """Enrol a member on a journey, naming their coach (coaches, managers, owners)."""
    read, _ = service.enrol(
        container.uow(),
        gate,
        claims,
        member_id=member_id,
        template_id=cmd.template_id,
        starts_on=cmd.starts_on,
        coach_id=cmd.coach_id,
    )
    return read


@router.get("/journeys/enrolments/{enrolment_id}", response_model=EnrolmentDetail)
def enrolment(enrolment_id: uuid.UUID, claims: Caller, container: ContainerDep) -> EnrolmentDetail:
    """An enrolment with its weeks so far, its history and its assessments."""
    return service.enrolment(container.uow(), claims, enrolment_id, sealer=container.sealer)


def _move(
    container: ContainerDep,
    claims: AccessClaims,
    enrolment_id: uuid.UUID,
    to: EnrolmentStatus,
    cmd: Transition | None,
) -> EnrolmentRead:
    read, _ = service.move(container.uow(), claims, enrolment_id, to, cmd.reason if cmd else "")
    return read


@router.post("/journeys/enrolments/{enrolment_id}/pause", response_model=EnrolmentRead)
def pause(
    enrolment_id: uuid.UUID, claims: Caller, container: ContainerDep, cmd: Transition | None = None
) -> EnrolmentRead:
    """Pause: the weeks spent paused are left out of adherence."""
    return _move(container, claims, enrolment_id, EnrolmentStatus.PAUSED, cmd)


@router.post("/journeys/enrolments/{enrolment_id}/resume", response_model=EnrolmentRead)
def resume(
    enrolment_id: uuid.UUID, claims: Caller, container: ContainerDep, cmd: Transition | None = None
) -> EnrolmentRead:
    return _move(container, claims, enrolment_id, EnrolmentStatus.ACTIVE, cmd)


@router.post("/journeys/enrolments/{enrolment_id}/complete", response_model=EnrolmentRead)
def complete(
    enrolment_id: uuid.UUID,
    claims: AnyStaff,
    container: ContainerDep,
    cmd: Transition | None = None,
) -> EnrolmentRead:
    """Mark complete before the last week ends (it completes by itself at the end)."""
    return _move(container, claims, enrolment_id, EnrolmentStatus.COMPLETED, cmd)


@router.post("/journeys/enrolments/{enrolment_id}/drop", response_model=EnrolmentRead)
def drop(
    enrolment_id: uuid.UUID, claims: Caller, container: ContainerDep, cmd: Transition | None = None
) -> EnrolmentRead:
    return _move(container, claims, enrolment_id, EnrolmentStatus.DROPPED, cmd)


@router.post("/journeys/enrolments/{enrolment_id}/adjustments", response_model=EnrolmentRead)
def adjust(
    enrolment_id: uuid.UUID, cmd: Adjustment, claims: AnyStaff, uow: UowDep
) -> EnrolmentRead:
    """A coach's change: the intensity ceiling (within the journey's), the mix of Tiles and
    classes, or the targets of the current or a later week; recorded with who and why."""
    return service.adjust(uow, claims, enrolment_id, cmd)


@router.post(
    "/journeys/enrolments/{enrolment_id}/assessments",
    response_model=AssessmentRead,
    status_code=status.HTTP_201_CREATED,
)
def record_assessment(
    enrolment_id: uuid.UUID, cmd: AssessmentWrite, claims: Caller, container: ContainerDep
) -> AssessmentRead:
    """Record an assessment in a week the journey takes it, within its plausible range."""
    read, _ = service.record_assessment(
        container.uow(), claims, enrolment_id, cmd, sealer=container.sealer
    )
    return read


@router.get(
    "/me/journeys/enrolments/{enrolment_id}/certificate.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def my_certificate(enrolment_id: uuid.UUID, claims: MemberClaims, uow: UowDep) -> Response:
    """A completed journey's certificate (409 before it is completed)."""
    pdf = certificate.for_member(uow, claims, enrolment_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="journey-certificate.pdf"'},
    )
