"""Privacy pages: the member app's Account → Your data (download it, ask for a correction)
and the console's Privacy page of a member (export, erase with a confirmation, their
requests). Thin: parse the form, call the view builders in a worker thread, render."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError, InvalidInput
from server.ports.identity import AccessClaims
from server.web import privacy_view as view
from server.web.console import console_page, staff_in
from server.web.forms import sentence
from server.web.member_app import member_page
from server.web.pages import redirect
from server.web.sessions import MEMBERS, WebRefusal, checked_form, services, signed_in

router = APIRouter(include_in_schema=False)

APP_PATH = "/app/account/data"
APP_TEMPLATE = "app/account/data.html"
CONSOLE_TEMPLATE = "manage/members/privacy.html"
SECTION = "members"


def _refusal(exc: DomainError) -> WebRefusal:
    return WebRefusal(exc.status, exc.title, sentence(exc.detail))


def _id(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise WebRefusal(404, "Not found", f"There is no such {what}.") from None


def _download(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.json"',
            "Cache-Control": "no-store",
        },
    )


# --- the member app ---------------------------------------------------------------------------


async def _my_page(
    request: Request, claims: AccessClaims, status: int = 200, **values: Any
) -> Response:
    try:
        found = await run_in_worker_thread(view.my_data, services(request), claims)
    except DomainError as exc:
        raise _refusal(exc) from None
    values.setdefault("error", None)
    values.setdefault("sent", {})
    return member_page(
        request,
        APP_TEMPLATE,
        "account",
        status,
        done=request.query_params.get("done", ""),
        **found,
        **values,
    )


@router.get(APP_PATH)
async def my_data(request: Request) -> Response:
    claims = await signed_in(request, MEMBERS)
    return await _my_page(request, claims)


@router.post(f"{APP_PATH}/export")
async def my_export(request: Request) -> Response:
    await checked_form(request)
    claims = await signed_in(request, MEMBERS)
    try:
        content = await run_in_worker_thread(view.my_export, services(request), claims)
    except DomainError as exc:
        raise _refusal(exc) from None
    return _download(content, "my-data")


@router.post(f"{APP_PATH}/corrections")
async def ask_correction(request: Request) -> Response:
    fields = await checked_form(request)
    claims = await signed_in(request, MEMBERS)
    try:
        await run_in_worker_thread(view.ask_correction, services(request), claims, fields)
    except InvalidInput as exc:
        return await _my_page(request, claims, 422, error=sentence(exc.detail), sent=fields)
    except DomainError as exc:
        raise _refusal(exc) from None
    return redirect(request, f"{APP_PATH}?done=asked")


# --- the console ------------------------------------------------------------------------------


def _base(member_id: uuid.UUID) -> str:
    return f"/manage/members/{member_id}/privacy"


async def _page(
    request: Request,
    claims: AccessClaims,
    member_id: uuid.UUID,
    status: int = 200,
    error: tuple[str, str] | None = None,
) -> Response:
    try:
        values = await run_in_worker_thread(
            view.member_privacy, services(request), claims, member_id
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
        done=request.query_params.get("done", ""),
        **values,
    )


@router.get("/manage/members/{member_id}/privacy")
async def member_privacy(request: Request, member_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    return await _page(request, claims, _id(member_id, "member"))


@router.post("/manage/members/{member_id}/privacy/export")
async def member_export(request: Request, member_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    mid = _id(member_id, "member")
    await checked_form(request)
    try:
        content = await run_in_worker_thread(view.member_export, services(request), claims, mid)
    except DomainError as exc:
        raise _refusal(exc) from None
    return _download(content, f"member-data-{mid}")


@router.post("/manage/members/{member_id}/privacy/erasure")
async def erase(request: Request, member_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    mid = _id(member_id, "member")
    fields = await checked_form(request)
    try:
        await run_in_worker_thread(view.erase, services(request), claims, mid, fields)
    except InvalidInput as exc:
        return await _page(request, claims, mid, 422, ("erasure", sentence(exc.detail)))
    except DomainError as exc:
        raise _refusal(exc) from None
    return redirect(request, f"{_base(mid)}?done=erased")


@router.post("/manage/members/{member_id}/privacy/requests/{request_id}/answer")
async def answer(request: Request, member_id: str, request_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    mid = _id(member_id, "member")
    rid = _id(request_id, "request")
    fields = await checked_form(request)
    try:
        await run_in_worker_thread(view.answer, services(request), claims, mid, rid, fields)
    except InvalidInput as exc:
        return await _page(request, claims, mid, 422, (str(rid), sentence(exc.detail)))
    except DomainError as exc:
        raise _refusal(exc) from None
    return redirect(request, f"{_base(mid)}?done=answered")
