"""The console's Set-up (``/manage/setup``): the tenant's profile, locations with their
closures, plans, session types with their instructors, staff, the booking policy and
kiosks. Owners and managers only; every change goes through the domain services."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError, NotFound
from server.ports.identity import AccessClaims
from server.scheduling import closures
from server.tenants.schemas import ClosureCreate
from server.web import setup_more
from server.web import setup_view as extras
from server.web.console import console_page
from server.web.pages import redirect
from server.web.sessions import WebRefusal, checked_form, services
from server.web.setup_common import SECTION, admin, call, parse_id, refused
from server.web.setup_forms import DATE, INTERVALS, Field, Filled, validated, values_of
from server.web.setup_kinds import Kind, location_in_scope
from server.web.setup_profiles import KINDS
from shared.enums import StaffRole

router = APIRouter(include_in_schema=False)
# Before the kinds' pages: their addresses would otherwise be read as a kind's.
router.include_router(setup_more.router)
FORM = "manage/setup/form.html"


def _kind(key: str) -> Kind:
    kind = KINDS.get(key)
    if kind is None:
        raise WebRefusal(404, "Not found", "There is nothing at this address.")
    return kind


@router.get("/manage/setup")
async def index(request: Request) -> Response:
    claims = await admin(request)
    owner = claims.role == StaffRole.OWNER
    return console_page(
        request, "manage/setup/index.html", claims, SECTION, kinds=KINDS, owner=owner
    )


def _form_page(
    request: Request,
    claims: AccessClaims,
    kind: Kind,
    filled: Filled,
    *,
    item_id: uuid.UUID | None,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> Response:
    action = f"/manage/setup/{kind.key}/{item_id or 'new'}"
    title = f"Edit {kind.one}" if item_id else f"New {kind.one}"
    return console_page(
        request,
        FORM,
        claims,
        SECTION,
        status,
        title=title,
        back=(f"/manage/setup/{kind.key}", kind.title),
        action=action,
        form=filled,
        submit="Save changes" if item_id else f"Create {kind.one}",
        **(extra or {}),
    )


@router.get("/manage/setup/{key}")
async def list_page(request: Request, key: str) -> Response:
    claims = await admin(request)
    kind = _kind(key)
    container = services(request)
    rows = await call(kind.rows, container, claims)
    ctx = await call(extras.context, container, claims)
    return console_page(
        request,
        "manage/setup/list.html",
        claims,
        SECTION,
        kind=kind,
        rows=[
            (row, [c.value(row, ctx) for c in kind.columns], kind.row_actions(row)) for row in rows
        ],
        acting=any(kind.row_actions(row) for row in rows),
        invited="invited" in request.query_params,
    )


@router.get("/manage/setup/{key}/new")
async def new_form(request: Request, key: str) -> Response:
    claims = await admin(request)
    kind = _kind(key)
    ctx = await call(extras.context, services(request), claims)
    fields = kind.form_fields(ctx, editing=False)
    return _form_page(request, claims, kind, Filled(fields, kind.defaults(ctx)), item_id=None)


@router.post("/manage/setup/{key}/new")
async def create(request: Request, key: str) -> Response:
    form = await checked_form(request)
    claims = await admin(request)
    kind = _kind(key)
    container = services(request)
    ctx = await call(extras.context, container, claims)
    fields = kind.form_fields(ctx, editing=False)
    cmd, errors, general = validated(kind.create_model, fields, form)
    status = 422
    if cmd is not None:
        try:
            made = await run_in_worker_thread(kind.create, container, claims, cmd)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise refused(exc) from None
            general, status = [refused(exc).detail], exc.status
        else:
            return redirect(request, f"/manage/setup/{kind.key}/{made.id}?saved=1")
    filled = Filled(fields, values_of(fields, form), errors, general)
    return _form_page(request, claims, kind, filled, item_id=None, status=status)


CLOSURE_FIELDS = [
    Field("name", "Name", required=True, hint="Such as Christmas"),
    Field("starts_on", "First day", DATE, required=True),
    Field("ends_on", "Last day", DATE, hint="Blank: the first day only"),
    Field("hours", "Special hours", INTERVALS, hint="Such as 10:00-14:00; blank: closed all day"),
]


async def _edit_page(
    request: Request,
    claims: AccessClaims,
    kind: Kind,
    item_id: uuid.UUID,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    closure: Filled | None = None,
    status: int = 200,
) -> Response:
    """The edit form: as stored, or as posted with its messages (``form`` given); a
    location's also holds its closures, a session type's its instructors."""
    container = services(request)
    row = await call(kind.read, container, claims, item_id)
    ctx = await call(extras.context, container, claims)
    fields = kind.form_fields(ctx, editing=True)
    extra = await call(extras.extra_of, container, claims, kind.key, item_id)
    values = kind.values(row) if form is None else values_of(fields, form)
    filled = Filled(fields, values, errors or {}, general or [])
    if kind.key == "locations":
        extra["closure_form"] = closure or Filled(CLOSURE_FIELDS, {})
    saved = form is None and "saved" in request.query_params
    return _form_page(
        request,
        claims,
        kind,
        filled,
        item_id=item_id,
        status=status,
        extra={**extra, "saved": saved, "item": row},
    )


@router.get("/manage/setup/{key}/{raw_id}")
async def edit_form(request: Request, key: str, raw_id: str) -> Response:
    claims = await admin(request)
    return await _edit_page(request, claims, _kind(key), parse_id(raw_id))


@router.post("/manage/setup/{key}/{raw_id}")
async def update(request: Request, key: str, raw_id: str) -> Response:
    form = await checked_form(request)
    claims = await admin(request)
    kind = _kind(key)
    item_id = parse_id(raw_id)
    container = services(request)
    await call(kind.read, container, claims, item_id)
    ctx = await call(extras.context, container, claims)
    cmd, errors, general = validated(kind.update_model, kind.form_fields(ctx, editing=True), form)
    status = 422
    if cmd is not None:
        try:
            await run_in_worker_thread(kind.update, container, claims, item_id, cmd)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise refused(exc) from None
            general, status = [refused(exc).detail], exc.status
        else:
            return redirect(request, f"/manage/setup/{kind.key}/{item_id}?saved=1")
    return await _edit_page(
        request, claims, kind, item_id, form=form, errors=errors, general=general, status=status
    )


@router.post("/manage/setup/locations/{raw_id}/closures")
async def add_closure(request: Request, raw_id: str) -> Response:
    form = await checked_form(request)
    claims = await admin(request)
    location_id = parse_id(raw_id)
    container = services(request)
    await call(location_in_scope, container, claims, location_id)
    cmd, errors, general = validated(ClosureCreate, CLOSURE_FIELDS, form)
    status = 422
    if cmd is not None:
        try:
            await run_in_worker_thread(
                lambda: closures.create_closure(
                    uow=container.uow(), claims=claims, location_id=location_id, cmd=cmd
                )
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise refused(exc) from None
            general, status = [refused(exc).detail], exc.status
        else:
            return redirect(request, f"/manage/setup/locations/{location_id}?saved=1#closures")
    closure = Filled(CLOSURE_FIELDS, values_of(CLOSURE_FIELDS, form), errors, general)
    return await _edit_page(
        request, claims, KINDS["locations"], location_id, closure=closure, status=status
    )


@router.post("/manage/setup/locations/{raw_id}/closures/{raw_closure}/remove")
async def remove_closure(request: Request, raw_id: str, raw_closure: str) -> Response:
    await checked_form(request)
    claims = await admin(request)
    location_id, closure_id = parse_id(raw_id), parse_id(raw_closure)
    container = services(request)

    def remove() -> None:
        location_in_scope(container, claims, location_id)
        closures.delete_closure(
            uow=container.uow(), claims=claims, location_id=location_id, closure_id=closure_id
        )

    await call(remove)
    return redirect(request, f"/manage/setup/locations/{location_id}#closures")
