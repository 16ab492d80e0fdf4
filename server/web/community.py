"""The Tiles and Circles pages: in the member app, the Tile library with a Tile's steps and
its "Done" button, and the circles to join with their announcements; in the console's
Set-up, archiving a Tile and running circles (create, rename, delete, members,
announcements). Thin: parse, call the services with the caller's claims in a worker
thread, render. The Tiles' list and forms are Set-up's own (``setup_tiles``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.circles import service as circles
from server.circles.schemas import AnnouncementCreate, CircleCreate, CircleUpdate
from server.errors import Conflict, DomainError, NotFound
from server.ports.identity import AccessClaims
from server.tiles import service as tiles
from server.web import community_view as view
from server.web.console import console_page
from server.web.forms import sentence
from server.web.member_app import member_page
from server.web.pages import redirect
from server.web.sessions import MEMBERS, WebRefusal, checked_form, services, signed_in
from server.web.setup_common import SECTION, admin, call, parse_id

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
#: The member app's bar has no room for another section on a phone: circles live in Account.
CIRCLES_SECTION = "account"
DONE_MESSAGES = {
    "done": "Done: it counts towards your movement today.",
    "joined": "You joined the circle.",
    "left": "You left the circle.",
}


async def _run(fn: Callable[..., T], *args: Any) -> T:
    """A view builder or service in a worker thread; its refusal becomes an error page."""
    try:
        return await run_in_worker_thread(fn, *args)
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None


def _message(request: Request) -> str | None:
    return DONE_MESSAGES.get(request.query_params.get("done", ""))


# --- Tiles (member app) --------------------------------------------------------------------


@router.get("/app/tiles")
async def my_tiles(request: Request) -> Response:
    claims = await signed_in(request, MEMBERS)
    values = await _run(view.tiles_index, services(request), claims)
    return member_page(request, "app/tiles/index.html", "tiles", **values)


async def _tile_page(
    request: Request, claims: AccessClaims, tile_id: uuid.UUID, status: int, problem: str | None
) -> Response:
    values = await _run(view.tile_page, services(request), claims, tile_id)
    message = None if problem else _message(request)
    return member_page(
        request, "app/tiles/tile.html", "tiles", status, problem=problem, message=message, **values
    )


@router.get("/app/tiles/{raw_id}")
async def tile(request: Request, raw_id: str) -> Response:
    claims = await signed_in(request, MEMBERS)
    return await _tile_page(request, claims, parse_id(raw_id), 200, None)


@router.post("/app/tiles/{raw_id}/done")
async def tile_done(request: Request, raw_id: str) -> Response:
    fields = await checked_form(request)
    claims = await signed_in(request, MEMBERS)
    tile_id = parse_id(raw_id)
    try:
        completion_id = uuid.UUID(fields.get("completion_id", ""))
    except ValueError:
        return await _tile_page(request, claims, tile_id, 422, "Please try again.")
    try:
        await run_in_worker_thread(view.complete, services(request), claims, tile_id, completion_id)
    except NotFound as exc:
        raise WebRefusal(404, "Not found", sentence(exc.detail)) from None
    except DomainError as exc:
        # Over the day's cap, or archived meanwhile: the Tile again with the reason.
        return await _tile_page(request, claims, tile_id, exc.status, sentence(exc.detail))
    return redirect(request, f"/app/tiles/{tile_id}?done=done")


# --- Circles (member app) ------------------------------------------------------------------


@router.get("/app/circles")
async def my_circles(request: Request) -> Response:
    claims = await signed_in(request, MEMBERS)
    values = await _run(view.member_circles, services(request), claims)
    return member_page(
        request, "app/circles/index.html", CIRCLES_SECTION, message=_message(request), **values
    )


@router.get("/app/circles/{raw_id}")
async def circle(request: Request, raw_id: str) -> Response:
    claims = await signed_in(request, MEMBERS)
    values = await _run(view.member_circle, services(request), claims, parse_id(raw_id))
    return member_page(
        request, "app/circles/circle.html", CIRCLES_SECTION, message=_message(request), **values
    )


@router.post("/app/circles/{raw_id}/{action}")
async def join_or_leave(request: Request, raw_id: str, action: str) -> Response:
    await checked_form(request)
    claims = await signed_in(request, MEMBERS)
    circle_id = parse_id(raw_id)
    if action not in ("join", "leave"):
        raise WebRefusal(404, "Not found", "There is nothing at this address.")
    act = view.join if action == "join" else view.leave
    await _run(act, services(request), claims, circle_id)
    done = "joined" if action == "join" else "left"
    return redirect(request, f"/app/circles/{circle_id}?done={done}")


# --- Tiles (console) -----------------------------------------------------------------------


@router.post("/manage/setup/tiles/{raw_id}/archive")
async def archive_tile(request: Request, raw_id: str) -> Response:
    await checked_form(request)
    claims = await admin(request)
    tile_id = parse_id(raw_id)
    container = services(request)
    await call(lambda: tiles.archive_tile(uow=container.uow(), claims=claims, tile_id=tile_id))
    return redirect(request, "/manage/setup/tiles")


@router.post("/manage/setup/tiles-starter")
async def load_starter(request: Request) -> Response:
    await checked_form(request)
    claims = await admin(request)
    container = services(request)
    await call(lambda: tiles.load_starter(uow=container.uow(), claims=claims))
    return redirect(request, "/manage/setup/tiles")


# --- Circles (console) ---------------------------------------------------------------------

CIRCLES = "manage/setup/circles.html"
CIRCLE = "manage/setup/circle.html"


def _problems(exc: ValidationError) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error.get("loc") else "form"
        found.setdefault(name, sentence(str(error["msg"]).removeprefix("Value error, ")))
    return found


async def _circles_page(
    request: Request,
    claims: AccessClaims,
    status: int = 200,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    values = await call(view.console_circles, services(request), claims)
    return console_page(
        request, CIRCLES, claims, SECTION, status, form=form or {}, errors=errors or {}, **values
    )


@router.get("/manage/setup/circles")
async def circles_list(request: Request) -> Response:
    return await _circles_page(request, await admin(request))


@router.post("/manage/setup/circles")
async def circle_create(request: Request) -> Response:
    form = await checked_form(request)
    claims = await admin(request)
    body = {
        "name": form.get("name", ""),
        "interest": form.get("interest", ""),
        "description": form.get("description", "").strip() or None,
        "location_id": form.get("location_id") or None,
    }
    try:
        cmd = CircleCreate.model_validate(body)
    except ValidationError as exc:
        return await _circles_page(request, claims, 422, form, _problems(exc))
    container = services(request)
    try:
        made = await run_in_worker_thread(
            lambda: circles.create_circle(uow=container.uow(), claims=claims, cmd=cmd)
        )
    except DomainError as exc:
        return await _circles_page(
            request, claims, exc.status, form, {"form": sentence(exc.detail)}
        )
    return redirect(request, f"/manage/setup/circles/{made.id}")


async def _circle_page(
    request: Request,
    claims: AccessClaims,
    circle_id: uuid.UUID,
    status: int = 200,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    values = await call(view.console_circle, services(request), claims, circle_id)
    return console_page(
        request,
        CIRCLE,
        claims,
        SECTION,
        status,
        form=form or {},
        errors=errors or {},
        saved=request.query_params.get("saved", ""),
        **values,
    )


@router.get("/manage/setup/circles/{raw_id}")
async def circle_page(request: Request, raw_id: str) -> Response:
    return await _circle_page(request, await admin(request), parse_id(raw_id))


@router.post("/manage/setup/circles/{raw_id}")
async def circle_rename(request: Request, raw_id: str) -> Response:
    form = await checked_form(request)
    claims = await admin(request)
    circle_id = parse_id(raw_id)
    try:
        cmd = CircleUpdate.model_validate({"name": form.get("name", "")})
    except ValidationError as exc:
        return await _circle_page(request, claims, circle_id, 422, form, _problems(exc))
    container = services(request)
    await call(
        lambda: circles.update_circle(
            uow=container.uow(), claims=claims, circle_id=circle_id, cmd=cmd
        )
    )
    return redirect(request, f"/manage/setup/circles/{circle_id}?saved=renamed")


@router.post("/manage/setup/circles/{raw_id}/delete")
async def circle_delete(request: Request, raw_id: str) -> Response:
    await checked_form(request)
    claims = await admin(request)
    circle_id = parse_id(raw_id)
    container = services(request)
    await call(
        lambda: circles.archive_circle(uow=container.uow(), claims=claims, circle_id=circle_id)
    )
    return redirect(request, "/manage/setup/circles")


@router.post("/manage/setup/circles/{raw_id}/announcements")
async def circle_announce(request: Request, raw_id: str) -> Response:
    form = await checked_form(request)
    claims = await admin(request)
    circle_id = parse_id(raw_id)
    body = {
        "title": form.get("title", ""),
        "body": form.get("body", ""),
        "challenge_id": form.get("challenge_id") or None,
    }
    try:
        cmd = AnnouncementCreate.model_validate(body)
    except ValidationError as exc:
        return await _circle_page(request, claims, circle_id, 422, form, _problems(exc))
    container = services(request)
    try:
        await run_in_worker_thread(
            lambda: circles.announce(
                uow=container.uow(), claims=claims, circle_id=circle_id, cmd=cmd
            )
        )
    except Conflict as exc:
        errors = {"form": sentence(exc.detail)}
        return await _circle_page(request, claims, circle_id, 409, form, errors)
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None
    return redirect(request, f"/manage/setup/circles/{circle_id}?saved=announced")
