"""The member app's Notifications page (part of Account): which nudges to get, quiet
hours, and the recent nudges with why. Thin: parse, call the services, render."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError
from server.web import nudges_view as view
from server.web.forms import sentence
from server.web.member_app import member_page
from server.web.pages import redirect
from server.web.sessions import MEMBERS, WebRefusal, checked_form, services, signed_in

router = APIRouter(include_in_schema=False)
SECTION = "account"
TEMPLATE = "app/account/notifications.html"


async def _view(request: Request) -> dict[str, Any]:
    container, claims = services(request), await signed_in(request, MEMBERS)
    try:
        return await run_in_worker_thread(view.notifications_view, container, claims)
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None


@router.get("/app/account/notifications")
async def notifications(request: Request, saved: str = "") -> Response:
    values = await _view(request)
    return member_page(
        request, TEMPLATE, SECTION, saved=saved == "1", error=None, error_field=None, **values
    )


@router.post("/app/account/notifications")
async def save_notifications(request: Request) -> Response:
    fields = await checked_form(request)
    container, claims = services(request), await signed_in(request, MEMBERS)
    try:
        await run_in_worker_thread(view.save_settings, container, claims, fields)
    except view.SettingsRefused as exc:
        values = await _view(request)
        # The page again as it was sent, so nothing typed is lost.
        values["kinds"] = [
            {**kind, "on": fields.get(f"kind_{kind['value']}") == "on"} for kind in values["kinds"]
        ]
        values.update(
            quiet_start=fields.get("quiet_start", ""), quiet_end=fields.get("quiet_end", "")
        )
        for row in values["channel_rows"]:
            for channel in row["channels"]:
                channel["on"] = fields.get(f"ch_{row['kind']}_{channel['value']}") == "on"
        return member_page(
            request,
            TEMPLATE,
            SECTION,
            422,
            saved=False,
            error=exc.message,
            error_field=exc.field,
            **values,
        )
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None
    return redirect(request, "/app/account/notifications?saved=1")
