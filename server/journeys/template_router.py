"""HTTP routes of journey templates: staff read the library (owners and managers write),
members read the journeys on offer; versions and their FHIR exports."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status

from server.api.deps import Admin, AnyStaff, UowDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.journeys import templates as service
from server.journeys.template_schemas import (
    MemberTemplates,
    TemplateCreate,
    TemplatePage,
    TemplateRead,
    TemplateUpdate,
    VersionRead,
)
from server.members.deps import MemberClaims

router = APIRouter(route_class=ThreadedRoute, tags=["journeys"])

FHIR_JSON = "application/fhir+json"
VersionNumber = Annotated[int, Path(ge=1, le=100_000)]
_FHIR_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {FHIR_JSON: {"schema": {"type": "object"}}}}
}


@router.get("/me/journeys/templates", response_model=MemberTemplates)
def my_templates(
    claims: MemberClaims, uow: UowDep, limit: Limit = 50, offset: Offset = 0
) -> MemberTemplates:
    """The journeys on offer by name: what each is, its weeks and what counts toward them."""
    return service.member_templates(uow=uow, claims=claims, limit=limit, offset=offset)


@router.get("/journeys/templates", response_model=TemplatePage)
def list_templates(
    claims: AnyStaff,
    uow: UowDep,
    include_archived: bool = Query(False, description="Archived templates too"),
    limit: Limit = 50,
    offset: Offset = 0,
) -> TemplatePage:
    """The tenant's journey templates by name (the three shipped ones included)."""
    return service.list_templates(
        uow=uow, claims=claims, include_archived=include_archived, limit=limit, offset=offset
    )


@router.post(
    "/journeys/templates", response_model=TemplateRead, status_code=status.HTTP_201_CREATED
)
def create_template(cmd: TemplateCreate, claims: Admin, uow: UowDep) -> TemplateRead:
    """A new template with its first version: 1–52 weeks, each asking for something."""
    return service.create_template(uow=uow, claims=claims, cmd=cmd)


@router.get("/journeys/templates/{template_id}", response_model=TemplateRead)
def get_template(template_id: uuid.UUID, claims: AnyStaff, uow: UowDep) -> TemplateRead:
    """The template, its current version's plan and its versions with their enrolments."""
    return service.get_template(uow=uow, claims=claims, template_id=template_id)


@router.patch("/journeys/templates/{template_id}", response_model=TemplateRead)
def update_template(
    template_id: uuid.UUID, cmd: TemplateUpdate, claims: Admin, uow: UowDep
) -> TemplateRead:
    """Change the fields sent. If anyone is enrolled on the current version, a change to
    its plan or labels makes the next version; enrolments keep the version they are on."""
    return service.update_template(uow=uow, claims=claims, template_id=template_id, cmd=cmd)


@router.post("/journeys/templates/{template_id}/archive", response_model=TemplateRead)
def archive_template(template_id: uuid.UUID, claims: Admin, uow: UowDep) -> TemplateRead:
    """No new enrolments and no longer offered to members; enrolments on it carry on."""
    return service.archive_template(uow=uow, claims=claims, template_id=template_id)


@router.get("/journeys/templates/{template_id}/versions/{version}", response_model=VersionRead)
def get_version(
    template_id: uuid.UUID, version: VersionNumber, claims: AnyStaff, uow: UowDep
) -> VersionRead:
    return service.get_version(uow=uow, claims=claims, template_id=template_id, version=version)


@router.get(
    "/journeys/templates/{template_id}/versions/{version}/fhir",
    response_class=Response,
    responses=_FHIR_RESPONSE,
)
def version_fhir(
    template_id: uuid.UUID, version: VersionNumber, claims: AnyStaff, uow: UowDep
) -> Response:
    """The version as a FHIR R4 PlanDefinition: a goal and an action per week, and the
    assessments as actions."""
    body = service.version_fhir(uow=uow, claims=claims, template_id=template_id, version=version)
    return Response(body, media_type=FHIR_JSON)


@router.get(
    "/journeys/enrolments/{enrolment_id}/fhir", response_class=Response, responses=_FHIR_RESPONSE
)
def enrolment_fhir(enrolment_id: uuid.UUID, claims: AnyStaff, uow: UowDep) -> Response:
    """The enrolment as a FHIR R4 CarePlan: the member as its subject and an activity per
    week with what was logged."""
    body = service.enrolment_fhir(uow=uow, claims=claims, enrolment_id=enrolment_id)
    return Response(body, media_type=FHIR_JSON)
