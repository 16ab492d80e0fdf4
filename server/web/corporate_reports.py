"""The console's report of a corporate account (``/manage/corporate/{id}/reports``):
filters by period, department and location, every figure after disclosure control. Thin:
parse the filters, build the view in a worker thread, render."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError, InvalidInput
from server.web import corporate_reports_view as view
from server.web.corporate_access import corporate_page, corporate_viewer
from server.web.forms import sentence
from server.web.sessions import WebRefusal, services

router = APIRouter(include_in_schema=False)

TEMPLATE = "manage/corporate_reports/report.html"


def _account(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise WebRefusal(404, "Not found", "There is no such corporate account.") from None


@router.get("/manage/corporate/{account_id}/reports")
async def corporate_report(request: Request, account_id: str) -> Response:
    claims = await corporate_viewer(request)
    account = _account(account_id)
    chosen = view.parse(request.query_params)
    container = services(request)
    try:
        options = await run_in_worker_thread(view.choices, container, claims, account)
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from exc
    limited = claims.location_ids is not None
    if limited and chosen.location_id is None and not chosen.errors:
        # Staff limited to some locations read one of theirs, never the account's whole.
        chosen.location_id = next(iter(options["locations"]), None) or min(
            claims.location_ids or (), key=str, default=None
        )
    values: dict[str, Any] = {"report": None, "limited": limited}
    status = 200
    if not chosen.errors:
        try:
            values = await run_in_worker_thread(
                view.report_view, container, claims, account, chosen
            )
            values["limited"] = limited
        except InvalidInput as exc:
            chosen.errors["from"] = sentence(exc.detail)
        except DomainError as exc:
            raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from exc
    if chosen.errors:
        status = 422
    return corporate_page(
        request,
        TEMPLATE,
        claims,
        status,
        account_id=account,
        chosen=chosen,
        **options,
        **values,
    )
