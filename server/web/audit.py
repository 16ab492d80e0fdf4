"""The console's Audit page (``/manage/audit``, owners only): who changed what, when and
from where, with the filters as a form. Thin: read the form, build the view in a worker
thread, render."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError
from server.web.audit_view import ACTIONS, audit_view, parse_form, who
from server.web.console import console_page, staff_in
from server.web.forms import sentence
from server.web.sessions import WebRefusal, services

router = APIRouter(include_in_schema=False)


@router.get("/manage/audit")
async def audit_page(request: Request) -> Response:
    claims = await staff_in(request, "audit")
    form = parse_form(request.query_params)
    try:
        view = await run_in_worker_thread(audit_view, services(request), claims, form)
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None
    return console_page(
        request,
        "manage/audit/index.html",
        claims,
        "audit",
        422 if form.errors else 200,
        form=form,
        actions=ACTIONS,
        who=who,
        **view,
    )
