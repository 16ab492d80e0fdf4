"""The member app's Challenges pages: open challenges to join, one's own with score and
rank, and each challenge's board. Thin: parse, call the services, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError
from server.web import my_challenges_view as view
from server.web.forms import sentence
from server.web.member_app import member_page
from server.web.pages import redirect
from server.web.sessions import MEMBERS, WebRefusal, checked_form, services, signed_in
from server.web.setup_common import parse_id

router = APIRouter(include_in_schema=False)
SECTION = "challenges"


def _page_number(text: str) -> int:
    return int(text) if text.isdigit() and 0 < int(text) < 100_000 else 1


async def _call(request: Request, fn: Callable[..., Any], *args: Any) -> Any:
    container, claims = services(request), await signed_in(request, MEMBERS)
    try:
        return await run_in_worker_thread(fn, container, claims, *args)
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None


@router.get("/app/challenges")
async def challenges_page(request: Request, page: str = "1") -> Response:
    values = await _call(request, view.list_view, _page_number(page))
    return member_page(request, "app/challenges/index.html", SECTION, **values)


@router.get("/app/challenges/{raw_id}")
async def board_page(request: Request, raw_id: str, page: str = "1") -> Response:
    values = await _call(request, view.board_view, parse_id(raw_id), _page_number(page))
    return member_page(request, "app/challenges/board.html", SECTION, **values)


@router.post("/app/challenges/{raw_id}/join")
async def join(request: Request, raw_id: str) -> Response:
    await checked_form(request)
    challenge_id = parse_id(raw_id)
    await _call(request, view.join, challenge_id)
    return redirect(request, f"/app/challenges/{challenge_id}")


@router.post("/app/challenges/{raw_id}/leave")
async def leave(request: Request, raw_id: str) -> Response:
    await checked_form(request)
    challenge_id = parse_id(raw_id)
    await _call(request, view.leave, challenge_id)
    return redirect(request, "/app/challenges")
