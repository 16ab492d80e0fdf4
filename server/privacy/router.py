"""HTTP routes of the member's rights: data export, erasure, rectification, and the log."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Response, status

from server.api.deps import Admin, ContainerDep, Owner, UowDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.members.deps import MemberClaims
from server.members.schemas import MemberRead
from server.privacy import service
from server.privacy.rules import RequestKind
from server.privacy.schemas import (
    ErasureCommand,
    ErasureRead,
    PrivacyRequestPage,
    PrivacyRequestRead,
    RectificationAsk,
    StaffRectification,
)

router = APIRouter(route_class=ThreadedRoute, tags=["privacy"])

_EXPORT: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/json": {"schema": {"type": "object"}}},
        "description": "zmos-member-export/1",
    }
}


def _download(document: dict[str, object], member_id: object) -> Response:
    return Response(
        json.dumps(document, ensure_ascii=False, indent=1),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="member-data-{member_id}.json"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/me/data-export", response_class=Response, responses=_EXPORT)
def export_my_data(claims: MemberClaims, container: ContainerDep) -> Response:
    """Everything held about you, health data included, as one JSON document
    (``"format": "zmos-member-export/1"``). Logged."""
    document = service.export_member(
        uow=container.uow(), sealer=container.sealer, claims=claims, member_id=claims.subject_id
    )
    return _download(document, claims.subject_id)


@router.get("/members/{member_id}/data-export", response_class=Response, responses=_EXPORT)
def export_member_data(member_id: uuid.UUID, claims: Admin, container: ContainerDep) -> Response:
    """A member's data export, for owners and managers (archived members too). Logged."""
    document = service.export_member(
        uow=container.uow(), sealer=container.sealer, claims=claims, member_id=member_id
    )
    return _download(document, member_id)


@router.post("/members/{member_id}/erasure", response_model=ErasureRead)
def erase_member(
    member_id: uuid.UUID, cmd: ErasureCommand, claims: Owner, container: ContainerDep
) -> ErasureRead:
    """Erase a member's personal data (owners only). ``confirmation`` must be their email or
    full name (422 otherwise, nothing changed). Sales, refunds, memberships and attendance
    stay with the member anonymised ("Erased member"); notes, health data, contacts and
    sign-in secrets are deleted; the member is archived and signed out everywhere. A second
    erasure is a 409 (``already_erased``). Logged."""
    return service.erase_member(
        uow=container.uow(), grants=container.grants, claims=claims, member_id=member_id, cmd=cmd
    )


@router.post(
    "/members/{member_id}/rectifications",
    response_model=MemberRead,
)
def rectify_member(
    member_id: uuid.UUID, cmd: StaffRectification, claims: Admin, uow: UowDep
) -> MemberRead:
    """Correct a member's data as ``PATCH /members/{id}`` does (``changes``), logged as a
    rectification; ``request_id`` marks the member's request it answers as done."""
    return service.rectify_member(uow=uow, claims=claims, member_id=member_id, cmd=cmd)


@router.post(
    "/me/rectification-requests",
    response_model=PrivacyRequestRead,
    status_code=status.HTTP_201_CREATED,
)
def ask_rectification(
    cmd: RectificationAsk, claims: MemberClaims, uow: UowDep
) -> PrivacyRequestRead:
    """Ask staff to correct something held about you, in your words."""
    return service.ask_rectification(uow=uow, claims=claims, cmd=cmd)


@router.get("/me/privacy-requests", response_model=PrivacyRequestPage)
def my_requests(
    claims: MemberClaims, uow: UowDep, limit: Limit = 50, offset: Offset = 0
) -> PrivacyRequestPage:
    """Your requests (exports, corrections asked, what was done), newest first."""
    return service.my_requests(uow=uow, claims=claims, limit=limit, offset=offset)


@router.get("/privacy/requests", response_model=PrivacyRequestPage)
def list_requests(
    claims: Admin,
    uow: UowDep,
    member_id: uuid.UUID | None = None,
    kind: RequestKind | None = None,
    open_only: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PrivacyRequestPage:
    """The log of privacy requests, newest first (owners and managers): by member, kind,
    or only those still waiting for staff."""
    return service.list_requests(
        uow=uow,
        claims=claims,
        member_id=member_id,
        kind=kind,
        open_only=open_only,
        limit=limit,
        offset=offset,
    )
