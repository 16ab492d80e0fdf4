"""HTTP routes of member passes (QR codes), for staff and for the member."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Response, status

from server.api.deps import ContainerDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.errors import Conflict
from server.members.deps import MemberClaims, MemberEditor
from server.passes import service
from server.passes.schemas import PassCreate, PassPage, PassRead, PassRevoke

router = APIRouter(route_class=ThreadedRoute, tags=["member passes"])
ImageFormat = Literal["png", "svg"]
_QR_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {}, "image/svg+xml": {}}, "description": "The QR code"}
}


def _image(read: PassRead, fmt: ImageFormat) -> Response:
    if read.token is None:
        raise Conflict("this pass has been revoked; issue a new one")
    if fmt == "png":
        return Response(service.render_png(read.token), media_type="image/png")
    return Response(service.render_svg(read.token), media_type="image/svg+xml")


@router.post(
    "/members/{member_id}/passes", response_model=PassRead, status_code=status.HTTP_201_CREATED
)
def issue_pass(
    member_id: uuid.UUID,
    claims: MemberEditor,
    container: ContainerDep,
    cmd: PassCreate | None = None,
) -> PassRead:
    """Sign a new QR pass for the member."""
    return service.issue_pass(
        uow=container.uow(),
        settings=container.settings,
        claims=claims,
        member_id=member_id,
        cmd=cmd or PassCreate(),
    )


@router.get("/members/{member_id}/passes", response_model=PassPage)
def list_passes(
    member_id: uuid.UUID,
    claims: MemberEditor,
    container: ContainerDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PassPage:
    """A member's passes with their QR tokens (door credentials): front desk and above."""
    return service.list_passes(
        uow=container.uow(),
        settings=container.settings,
        claims=claims,
        member_id=member_id,
        limit=limit,
        offset=offset,
    )


@router.get("/passes/{pass_id}", response_model=PassRead)
def get_pass(pass_id: uuid.UUID, claims: MemberEditor, container: ContainerDep) -> PassRead:
    """A pass with its QR token (a door credential): front desk and above."""
    return service.get_pass(
        uow=container.uow(), settings=container.settings, claims=claims, pass_id=pass_id
    )


@router.get("/passes/{pass_id}/qr.{fmt}", response_class=Response, responses=_QR_RESPONSES)
def pass_image(
    pass_id: uuid.UUID, fmt: ImageFormat, claims: MemberEditor, container: ContainerDep
) -> Response:
    """The pass as a printable QR code, PNG or SVG: front desk and above."""
    read = service.get_pass(
        uow=container.uow(), settings=container.settings, claims=claims, pass_id=pass_id
    )
    return _image(read, fmt)


@router.post("/passes/{pass_id}/revoke", response_model=PassRead)
def revoke_pass(
    pass_id: uuid.UUID, cmd: PassRevoke, claims: MemberEditor, container: ContainerDep
) -> PassRead:
    """Revoke a pass (lost phone, shared code): kiosks refuse it once they have synced."""
    return service.revoke_pass(
        uow=container.uow(), settings=container.settings, claims=claims, pass_id=pass_id, cmd=cmd
    )


@router.get("/me/pass", response_model=PassRead)
def my_pass(claims: MemberClaims, container: ContainerDep) -> PassRead:
    """The signed-in member's pass (a new one is issued when none is valid)."""
    return service.current_pass_of_member(
        uow=container.uow(), settings=container.settings, claims=claims
    )


@router.get("/me/pass/qr.{fmt}", response_class=Response, responses=_QR_RESPONSES)
def my_pass_image(fmt: ImageFormat, claims: MemberClaims, container: ContainerDep) -> Response:
    read = service.current_pass_of_member(
        uow=container.uow(), settings=container.settings, claims=claims
    )
    return _image(read, fmt)
