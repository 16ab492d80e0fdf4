"""The member app's Progress page: streaks, score, goal, badges and movement history, with
the weekly goal's form and its suggestion. Thin: parse, call the services, render."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError
from server.web import progress_view as view
from server.web.forms import sentence
from server.web.member_app import member_page
from server.web.pages import redirect
from server.web.sessions import MEMBERS, WebRefusal, checked_form, services, signed_in

router = APIRouter(include_in_schema=False)
SECTION = "progress"
TEMPLATE = "app/progress/index.html"
#: The suggestion this browser dismissed (one at a time: a new one shows again).
HINT_COOKIE = "zmos_goal_hint"


def _page_number(text: str) -> int:
    return int(text) if text.isdigit() and 0 < int(text) < 100_000 else 1


async def _view(request: Request, page: int) -> dict[str, Any]:
    container, claims = services(request), await signed_in(request, MEMBERS)
    hidden = request.cookies.get(HINT_COOKIE, "")
    try:
        return await run_in_worker_thread(view.progress_view, container, claims, page, hidden)
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None


@router.get("/app/progress")
async def progress_page(request: Request, page: str = "1", saved: str = "") -> Response:
    values = await _view(request, _page_number(page))
    return member_page(request, TEMPLATE, SECTION, saved=saved == "1", error=None, **values)


async def _refused(request: Request, message: str, fields: dict[str, str]) -> Response:
    values = await _view(request, 1)
    if fields:
        # The form again as it was sent, so nothing typed is lost.
        values.update(goal_kind=fields.get("kind", ""), goal_target=fields.get("target", ""))
    return member_page(request, TEMPLATE, SECTION, 422, saved=False, error=message, **values)


@router.post("/app/progress/goal")
async def save_goal(request: Request) -> Response:
    fields = await checked_form(request)
    container, claims = services(request), await signed_in(request, MEMBERS)
    try:
        await run_in_worker_thread(view.save_goal, container, claims, fields)
    except view.GoalRefused as exc:
        return await _refused(request, exc.message, fields)
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None
    return redirect(request, "/app/progress?saved=1#goal")


@router.post("/app/progress/suggestion")
async def answer_suggestion(request: Request) -> Response:
    fields = await checked_form(request)
    container, claims = services(request), await signed_in(request, MEMBERS)
    key = fields.get("key", "")[:80]
    if fields.get("answer") == "dismiss":
        response = redirect(request, "/app/progress#goal")
        response.set_cookie(
            HINT_COOKIE,
            key,
            max_age=7 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/app/progress",
        )
        return response
    if fields.get("answer") != "accept":
        return await _refused(request, "Choose to take the suggestion or not.", {})
    try:
        await run_in_worker_thread(view.accept_suggestion, container, claims, key)
    except view.GoalRefused as exc:
        return await _refused(request, exc.message, {})
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None
    return redirect(request, "/app/progress?saved=1#goal")
