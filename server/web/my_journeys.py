"""The member app's Journey page (a tab of Progress): journeys to join, one's own with this
week's progress and the assessments due, and a completed journey's certificate. Thin:
parse, call the services, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError, InvalidInput
from server.journeys.schemas import AssessmentWrite
from server.web import my_journeys_view as view
from server.web.forms import sentence
from server.web.member_app import member_page
from server.web.pages import redirect
from server.web.sessions import MEMBERS, WebRefusal, checked_form, services, signed_in
from server.web.setup_common import parse_id

router = APIRouter(include_in_schema=False)
SECTION = "journeys"
TEMPLATE = "app/journeys/index.html"


async def _call(request: Request, fn: Callable[..., Any], *args: Any) -> Any:
    container, claims = services(request), await signed_in(request, MEMBERS)
    try:
        return await run_in_worker_thread(fn, container, claims, *args)
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None


@router.get("/app/journeys")
async def journeys_page(request: Request) -> Response:
    values = await _call(request, view.page_view)
    return member_page(request, TEMPLATE, SECTION, **values)


@router.post("/app/journeys/enrol")
async def enrol(request: Request) -> Response:
    fields = await checked_form(request)
    today = fields.get("start") == "today"
    await _call(request, view.enrol, parse_id(fields.get("template_id", "")), today)
    return redirect(request, "/app/journeys")


@router.post("/app/journeys/{raw_id}/assessments")
async def record_assessment(request: Request, raw_id: str) -> Response:
    fields = await checked_form(request)
    enrolment_id = parse_id(raw_id)
    key, week = fields.get("key", ""), fields.get("week", "")
    raw = fields.get("value", "").strip().replace(",", ".")
    try:
        cmd = AssessmentWrite(key=key, week=int(week) if week.isdigit() else -1, value=float(raw))
        await _call_raw(request, view.record, enrolment_id, cmd)
    except (ValidationError, ValueError):
        return await _refused(request, key, week, "Enter the number you measured.")
    except InvalidInput as exc:
        return await _refused(request, key, week, sentence(exc.detail))
    return redirect(request, f"/app/journeys#journey-{enrolment_id}")


async def _call_raw(request: Request, fn: Callable[..., Any], *args: Any) -> Any:
    """As ``_call``, but a refusal of the input reaches the caller (to show the form again)."""
    container, claims = services(request), await signed_in(request, MEMBERS)
    try:
        return await run_in_worker_thread(fn, container, claims, *args)
    except InvalidInput:
        raise
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None


async def _refused(request: Request, key: str, week: str, message: str) -> Response:
    values = await _call(request, view.page_view, {"key": key, "week": week, "message": message})
    return member_page(request, TEMPLATE, SECTION, 422, **values)


@router.get("/app/journeys/{raw_id}/certificate.pdf")
async def certificate(request: Request, raw_id: str) -> Response:
    pdf = await _call(request, view.certificate_pdf, parse_id(raw_id))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="journey-certificate.pdf"'},
    )
