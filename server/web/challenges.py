"""The console's Challenges (``/manage/challenges``): the list by state, a new challenge,
changes before it starts, cancelling, and each challenge's board and team board. Owners
and managers run them; coaches read them."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.challenges import service as challenges
from server.challenges.schemas import ChallengeCreate, ChallengeUpdate
from server.ports.identity import AccessClaims
from server.web.challenges_view import (
    METRIC_NAMES,
    TEAM_NAMES,
    create_fields,
    detail_view,
    edit_fields,
    edit_values,
    form_view,
    list_view,
    runs,
)
from server.web.console import console_page, staff_in
from server.web.pages import redirect
from server.web.sessions import WebRefusal, checked_form, services
from server.web.setup_common import call, parse_id
from server.web.setup_forms import Field, Filled, validated, values_of

router = APIRouter(include_in_schema=False)
SECTION = "challenges"
_NOT_FOR_COACHES = "Only owners and managers create, change or cancel challenges."


def placed(detail: str, fields: list[Field]) -> tuple[dict[str, str], list[str]]:
    """A service's refusal next to the field it names ("ends_on: …"), else above the form."""
    name, _, message = detail.partition(": ")
    if message and name.lower() in {f.name for f in fields}:
        return {name.lower(): message[:1].upper() + message[1:] + "."}, []
    return {}, [detail]


def _runner(claims: AccessClaims) -> None:
    if not runs(claims):
        raise WebRefusal(403, "Not for this account", _NOT_FOR_COACHES)


@router.get("/manage/challenges")
async def list_page(request: Request) -> Response:
    claims = await staff_in(request, SECTION)
    view = await call(list_view, services(request), claims)
    return console_page(
        request,
        "manage/challenges/list.html",
        claims,
        SECTION,
        runs=runs(claims),
        metric_names=METRIC_NAMES,
        **view,
    )


def _new_page(
    request: Request, claims: AccessClaims, view: dict[str, Any], filled: Filled, status: int
) -> Response:
    return console_page(
        request,
        "manage/challenges/form.html",
        claims,
        SECTION,
        status,
        title="New challenge",
        action="/manage/challenges/new",
        submit="Create challenge",
        form=filled,
        item=None,
        **{k: v for k, v in view.items() if k != "circles"},
    )


@router.get("/manage/challenges/new")
async def new_form(request: Request) -> Response:
    claims = await staff_in(request, SECTION)
    _runner(claims)
    view = await call(form_view, services(request), claims)
    fields = create_fields(view["circles"])
    defaults = {"grace_days": "2", "metric": "sessions", "team_by": "", "circle_id": ""}
    return _new_page(request, claims, view, Filled(fields, defaults), 200)


@router.post("/manage/challenges/new")
async def create(request: Request) -> Response:
    form = await checked_form(request)
    claims = await staff_in(request, SECTION)
    _runner(claims)
    view = await call(form_view, services(request), claims)
    fields = create_fields(view["circles"])
    cmd, errors, general = validated(ChallengeCreate, fields, form)
    if cmd is not None:
        try:
            made = await call(
                lambda c: challenges.create_challenge(uow=c.uow(), claims=claims, cmd=cmd),
                services(request),
            )
        except WebRefusal as refusal:
            if refusal.status != 422:
                raise
            errors, general = placed(refusal.detail, fields)
        else:
            return redirect(request, f"/manage/challenges/{made.id}")
    filled = Filled(fields, values_of(fields, form), errors, general)
    return _new_page(request, claims, view, filled, 422)


async def _detail(
    request: Request,
    claims: AccessClaims,
    challenge_id: uuid.UUID,
    filled: Filled | None = None,
    status: int = 200,
) -> Response:
    view = await call(detail_view, services(request), claims, challenge_id)
    found = view["challenge"]
    editable = runs(claims) and found.status == "upcoming"
    if filled is None and editable:
        filled = Filled(edit_fields(), edit_values(found))
    return console_page(
        request,
        "manage/challenges/challenge.html",
        claims,
        SECTION,
        status,
        runs=runs(claims),
        editable=editable,
        form=filled,
        metric_names=METRIC_NAMES,
        team_names=TEAM_NAMES,
        saved=request.query_params.get("saved") == "1",
        **view,
    )


@router.get("/manage/challenges/{raw_id}")
async def detail(request: Request, raw_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    return await _detail(request, claims, parse_id(raw_id))


@router.post("/manage/challenges/{raw_id}")
async def update(request: Request, raw_id: str) -> Response:
    form = await checked_form(request)
    claims = await staff_in(request, SECTION)
    _runner(claims)
    challenge_id = parse_id(raw_id)
    container = services(request)
    found = await call(
        lambda c: challenges.get_challenge(
            uow=c.read_uow(), claims=claims, challenge_id=challenge_id
        ),
        container,
    )
    if found.status != "upcoming":
        raise WebRefusal(409, "Cannot do that", "A challenge can be changed only before it starts.")
    fields = edit_fields()
    cmd, errors, general = validated(ChallengeUpdate, fields, form)
    if cmd is not None:
        try:
            await call(
                lambda c: challenges.update_challenge(
                    uow=c.uow(), claims=claims, challenge_id=challenge_id, cmd=cmd
                ),
                container,
            )
        except WebRefusal as refusal:
            if refusal.status != 422:
                raise
            errors, general = placed(refusal.detail, fields)
        else:
            return redirect(request, f"/manage/challenges/{challenge_id}?saved=1")
    filled = Filled(fields, values_of(fields, form), errors, general)
    return await _detail(request, claims, challenge_id, filled, 422)


@router.post("/manage/challenges/{raw_id}/cancel")
async def cancel(request: Request, raw_id: str) -> Response:
    await checked_form(request)
    claims = await staff_in(request, SECTION)
    _runner(claims)
    challenge_id = parse_id(raw_id)
    await call(
        lambda c: challenges.cancel_challenge(
            uow=c.uow(), claims=claims, challenge_id=challenge_id
        ),
        services(request),
    )
    return redirect(request, f"/manage/challenges/{challenge_id}")
