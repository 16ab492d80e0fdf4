"""The console's Set-up → Webhooks (``/manage/setup/webhooks``): the tenant's webhook
subscriptions; add one, pause or resume it, change how it is delivered (one event per
request or batches), rotate its secret, see its dead letters and
replay them. Owners and managers; every change goes through the outbox's services."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.deps import Services
from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError
from server.outbox import service
from server.outbox.schemas import (
    ReplayRequest,
    SecretRotate,
    SubscriptionCreate,
    SubscriptionUpdate,
)
from server.ports.identity import AccessClaims
from server.web.console import console_page
from server.web.formatting import Formats
from server.web.pages import redirect
from server.web.sessions import checked_form, services
from server.web.setup_common import SECTION, admin, call, parse_id

router = APIRouter(include_in_schema=False)
PAGE = "/manage/setup/webhooks"
TEMPLATE = "manage/setup/webhooks.html"
#: Dead letters shown per subscription (the API pages through all of them).
DEAD_SHOWN = 10


def _shown(container: Services, claims: AccessClaims) -> dict[str, Any]:
    page = service.list_subscriptions(
        uow=container.read_uow(), claims=claims, limit=service.MAX_SUBSCRIPTIONS, offset=0
    )
    rows = []
    for sub in page.items:
        dead = service.list_deliveries(
            uow=container.read_uow(),
            claims=claims,
            subscription_id=sub.id,
            state="dead",
            limit=DEAD_SHOWN,
            offset=0,
        )
        rows.append((sub, dead.items, dead.next_offset is not None))
    return {"subscriptions": rows, "fmt": Formats(), "week_ago": date.today() - timedelta(7)}


async def _page(
    request: Request,
    claims: AccessClaims,
    status: int = 200,
    **extra: Any,
) -> Response:
    shown = await call(_shown, services(request), claims)
    values = {"secret": None, "error": None, "form": {}, "notice": None, **extra}
    return console_page(request, TEMPLATE, claims, SECTION, status, **shown, **values)


@router.get(PAGE)
async def webhooks(request: Request) -> Response:
    claims = await admin(request)
    notice = {
        "replayed": "Queued again: they are sent within seconds.",
        "mode": "Delivery changed: the next events go the new way.",
    }.get(request.query_params.get("done", ""))
    return await _page(request, claims, notice=notice)


def _types(raw: str) -> list[str]:
    return [t.strip() for t in raw.replace("\n", ",").split(",") if t.strip()]


@router.post(PAGE)
async def add(request: Request) -> Response:
    """The secret is shown on this answer only (it is stored sealed), so no redirect."""
    form = await checked_form(request)
    claims = await admin(request)
    container = services(request)
    try:
        cmd = SubscriptionCreate.model_validate(
            {
                "url": form.get("url", ""),
                "event_types": _types(form.get("event_types", "")) or ["*"],
                "description": form.get("description", ""),
                "content_mode": form.get("content_mode") or "structured",
            }
        )
        # Not ``call``: a refusal (a URL not allowed) is said on the form, not on its own page.
        made = await run_in_worker_thread(
            lambda: service.create_subscription(
                uow=container.uow(), claims=claims, sealer=container.sealer, cmd=cmd
            )
        )
    except (ValueError, DomainError) as exc:
        return await _page(request, claims, 422, error=_said(exc), form=form)
    return await _page(request, claims, secret={"for": made.url, "value": made.secret})


def _said(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.detail
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in errors())
    return str(exc)


@router.post(PAGE + "/{subscription_id}/rotate")
async def rotate(request: Request, subscription_id: str) -> Response:
    await checked_form(request)
    claims = await admin(request)
    container = services(request)
    made = await call(
        lambda: service.rotate_secret(
            uow=container.uow(),
            claims=claims,
            sealer=container.sealer,
            subscription_id=parse_id(subscription_id),
            cmd=SecretRotate(),
        )
    )
    return await _page(request, claims, secret={"for": made.url, "value": made.secret})


@router.post(PAGE + "/{subscription_id}/active")
async def pause_or_resume(request: Request, subscription_id: str) -> Response:
    form = await checked_form(request)
    claims = await admin(request)
    container = services(request)
    cmd = SubscriptionUpdate(active=form.get("active") == "true")
    await call(
        lambda: service.update_subscription(
            uow=container.uow(), claims=claims, subscription_id=parse_id(subscription_id), cmd=cmd
        )
    )
    return redirect(request, PAGE)


@router.post(PAGE + "/{subscription_id}/mode")
async def change_mode(request: Request, subscription_id: str) -> Response:
    """One event per request or batches: the next requests go the new way, retries of
    events already refused included (the relay reads the mode at each round)."""
    form = await checked_form(request)
    claims = await admin(request)
    container = services(request)
    try:
        cmd = SubscriptionUpdate.model_validate({"content_mode": form.get("content_mode", "")})
    except ValueError as exc:
        return await _page(request, claims, 422, error=f"Delivery: {_said(exc)}")
    await call(
        lambda: service.update_subscription(
            uow=container.uow(), claims=claims, subscription_id=parse_id(subscription_id), cmd=cmd
        )
    )
    return redirect(request, f"{PAGE}?done=mode")


@router.post(PAGE + "/{subscription_id}/replay")
async def replay(request: Request, subscription_id: str) -> Response:
    form = await checked_form(request)
    claims = await admin(request)
    container = services(request)
    try:
        since = datetime.combine(date.fromisoformat(form.get("since", "")), time(), UTC)
        cmd = ReplayRequest(since=since, only_dead=form.get("only_dead") == "on")
    except ValueError as exc:
        return await _page(request, claims, 422, error=f"Replay: {_said(exc)}")
    await call(
        lambda: service.replay(
            uow=container.uow(),
            claims=claims,
            subscription_id=parse_id(subscription_id),
            cmd=cmd,
        )
    )
    return redirect(request, f"{PAGE}?done=replayed")
