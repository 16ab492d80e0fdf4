"""Health pages: the member app's questionnaire (Account → Health questionnaire) and the
console's Health page of a member (outcome, clearance, risk flags). Thin: parse the form,
call the view builders in a worker thread, render."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.db.sealed import FieldSealer
from server.errors import DomainError, InvalidInput
from server.ports.identity import AccessClaims
from server.web import health_view as view
from server.web.console import console_page, staff_in
from server.web.forms import sentence
from server.web.member_app import member_page
from server.web.pages import redirect
from server.web.sessions import MEMBERS, WebRefusal, checked_form, services, signed_in

router = APIRouter(include_in_schema=False)

APP_TEMPLATE = "app/account/health.html"
APP_PATH = "/app/account/health"
CONSOLE_TEMPLATE = "manage/members/health.html"
SECTION = "members"


def _sealer(request: Request) -> FieldSealer:
    sealer: FieldSealer = request.app.state.container.sealer
    return sealer


def _refusal(exc: DomainError) -> WebRefusal:
    return WebRefusal(exc.status, exc.title, sentence(exc.detail))


def _id(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise WebRefusal(404, "Not found", f"There is no such {what}.") from None


# --- the member app ---------------------------------------------------------------------------


async def _questionnaire(request: Request, claims: AccessClaims) -> dict[str, Any]:
    try:
        return await run_in_worker_thread(
            view.questionnaire_view, services(request), _sealer(request), claims
        )
    except DomainError as exc:
        raise _refusal(exc) from None


@router.get(APP_PATH)
async def questionnaire(request: Request, saved: str = "") -> Response:
    claims = await signed_in(request, MEMBERS)
    values = await _questionnaire(request, claims)
    return member_page(request, APP_TEMPLATE, "account", saved=saved == "1", error=None, **values)


@router.post(APP_PATH)
async def answer(request: Request) -> Response:
    fields = await checked_form(request)
    claims = await signed_in(request, MEMBERS)
    try:
        await run_in_worker_thread(view.answer, services(request), _sealer(request), claims, fields)
    except InvalidInput as exc:
        values = await _questionnaire(request, claims)
        # The form again as it was sent, so nothing answered is lost.
        values["questions"] = view.questions_sent(view.answers_of(fields))
        return member_page(
            request, APP_TEMPLATE, "account", 422, saved=False, error=sentence(exc.detail), **values
        )
    except DomainError as exc:
        raise _refusal(exc) from None
    return redirect(request, f"{APP_PATH}?saved=1")


# --- the console ------------------------------------------------------------------------------


def _base(member_id: uuid.UUID) -> str:
    return f"/manage/members/{member_id}/health"


async def _page(
    request: Request,
    claims: AccessClaims,
    member_id: uuid.UUID,
    status: int = 200,
    error: tuple[str, str] | None = None,
    sent: dict[str, str] | None = None,
) -> Response:
    try:
        values = await run_in_worker_thread(
            view.member_health, services(request), _sealer(request), claims, member_id
        )
    except DomainError as exc:
        raise _refusal(exc) from None
    return console_page(
        request,
        CONSOLE_TEMPLATE,
        claims,
        SECTION,
        status,
        error=error,
        sent=sent or {},
        saved=request.query_params.get("saved", ""),
        **values,
    )


@router.get("/manage/members/{member_id}/health")
async def member_health(request: Request, member_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    return await _page(request, claims, _id(member_id, "member"))


async def _act(
    request: Request,
    member_id: str,
    form: str,
    act: Callable[..., None],
    target: uuid.UUID | None = None,
) -> Response:
    """Run one action, on ``target`` (a clearance, a flag) or else on the posted form; a
    refused form is the page again (422) with the message."""
    claims = await staff_in(request, SECTION)
    mid = _id(member_id, "member")
    fields = await checked_form(request)
    try:
        await run_in_worker_thread(
            act, services(request), _sealer(request), claims, mid, target or fields
        )
    except view.FormRefused as exc:
        return await _page(request, claims, mid, 422, (form, exc.message), fields)
    except InvalidInput as exc:
        return await _page(request, claims, mid, 422, (form, sentence(exc.detail)), fields)
    except DomainError as exc:
        raise _refusal(exc) from None
    return redirect(request, f"{_base(mid)}?saved={form}")


@router.post("/manage/members/{member_id}/health/clearances")
async def clear(request: Request, member_id: str) -> Response:
    return await _act(request, member_id, "clearance", view.clear)


@router.post("/manage/members/{member_id}/health/clearances/{clearance_id}/revoke")
async def revoke(request: Request, member_id: str, clearance_id: str) -> Response:
    return await _act(request, member_id, "clearance", view.revoke, _id(clearance_id, "clearance"))


@router.post("/manage/members/{member_id}/health/flags")
async def add_flag(request: Request, member_id: str) -> Response:
    return await _act(request, member_id, "flags", view.add_flag)


@router.post("/manage/members/{member_id}/health/flags/{flag_id}/end")
async def end_flag(request: Request, member_id: str, flag_id: str) -> Response:
    return await _act(request, member_id, "flags", view.end_flag, _id(flag_id, "risk flag"))
