"""The console's Set-up → Messages (``/manage/setup/messages``): the delivery log of every
message to members and staff channels, filtered and paged, and a failed one sent again.
Owners and managers; thin: read the form, call the notices' services in a worker thread,
render."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from starlette.datastructures import QueryParams
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError
from server.notices import delivery_log
from server.ports.identity import AccessClaims
from server.web.console import console_page
from server.web.notices_log_view import CHANNELS, STATES, LogForm, log_view, parse_form
from server.web.pages import redirect
from server.web.sessions import checked_form, services
from server.web.setup_common import SECTION, admin, parse_id

router = APIRouter(include_in_schema=False)
PAGE = "/manage/setup/messages"
_DONE = {
    "retried": "Queued again: it goes at the next send (within a minute, or after quiet hours)."
}


async def _page(
    request: Request, claims: AccessClaims, form: LogForm, status: int = 200, **extra: Any
) -> Response:
    view = await run_in_worker_thread(log_view, services(request), claims, form)
    return console_page(
        request,
        "manage/setup/messages.html",
        claims,
        SECTION,
        422 if form.errors else status,
        form=form,
        states=STATES,
        channels=CHANNELS,
        **{"notice": None, "error": None, **extra},
        **view,
    )


@router.get(PAGE)
async def messages(request: Request) -> Response:
    claims = await admin(request)
    form = parse_form(request.query_params)
    return await _page(
        request, claims, form, notice=_DONE.get(request.query_params.get("done", ""))
    )


@router.post(PAGE + "/{notice_id}/retry")
async def retry(request: Request, notice_id: str) -> Response:
    """Send a failed message again; back to the log as it was filtered. A refusal (sent
    already, or the member no longer wants it) is said above the log, nothing changed."""
    posted = await checked_form(request)
    claims = await admin(request)
    form = parse_form(QueryParams(parse_qsl(posted.get("back", "")[:1000])))
    container = services(request)
    try:
        await run_in_worker_thread(
            lambda: delivery_log.retry_now(
                uow=container.uow(), tenant_id=claims.tenant_id, notice_id=parse_id(notice_id)
            )
        )
    except DomainError as exc:
        said = exc.detail[:1].upper() + exc.detail[1:]
        return await _page(request, claims, form, exc.status, error=f"Not sent again: {said}.")
    query = form.query(form.offset)
    return redirect(request, f"{PAGE}?{query + '&' if query else ''}done=retried")
