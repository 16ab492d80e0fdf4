"""The member app's Account → Your employer: which employers' rosters hold the member,
and their consent to individual reporting, scope by scope (given with a date, revocable).
Thin: the corporate reports service decides."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.deps import Services
from server.api.threaded_route import run_in_worker_thread
from server.corporate_reports import rules, service
from server.errors import DomainError, InvalidInput
from server.ports.identity import AccessClaims
from server.web.account_view import places
from server.web.forms import sentence
from server.web.member_app import member_page
from server.web.pages import redirect
from server.web.sessions import MEMBERS, WebRefusal, checked_form, services, signed_in

router = APIRouter(include_in_schema=False)

PATH = "/app/account/employer"
TEMPLATE = "app/corporate/consent.html"


def consent_view(container: Services, claims: AccessClaims) -> dict[str, Any]:
    fmt = places(container, claims).home
    rows, consents, names = service.my_consents(container.uow(), claims)
    standing = {c.scope: c for c in consents if c.revoked_at is None}
    ended = [c for c in consents if c.revoked_at is not None]
    return {
        "employers": sorted(set(names.values())),
        "scopes": [
            {
                "key": scope,
                "label": rules.SCOPE_LABELS[scope],
                "since": fmt.day(standing[scope].granted_at) if scope in standing else None,
            }
            for scope in rules.SCOPES
        ],
        "history": [
            {
                "scope": c.scope,
                "granted": fmt.day(c.granted_at),
                "revoked": fmt.day(c.revoked_at) if c.revoked_at else "",
            }
            for c in reversed(ended)
        ],
        "on_roster": bool(rows),
    }


async def _page(
    request: Request, claims: AccessClaims, status: int = 200, error: str = ""
) -> Response:
    try:
        found = await run_in_worker_thread(consent_view, services(request), claims)
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from exc
    return member_page(
        request,
        TEMPLATE,
        "account",
        status,
        error=error,
        done=request.query_params.get("done", ""),
        **found,
    )


@router.get(PATH)
async def my_employer(request: Request) -> Response:
    claims = await signed_in(request, MEMBERS)
    return await _page(request, claims)


async def _change(request: Request, give: bool) -> Response:
    fields = await checked_form(request)
    claims = await signed_in(request, MEMBERS)
    action = service.grant if give else service.revoke
    try:
        await run_in_worker_thread(action, services(request).uow(), claims, fields.get("scope", ""))
    except InvalidInput as exc:
        return await _page(request, claims, 422, sentence(exc.detail))
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from exc
    return redirect(request, f"{PATH}?done={'given' if give else 'revoked'}")


@router.post(f"{PATH}/consents")
async def give(request: Request) -> Response:
    return await _change(request, give=True)


@router.post(f"{PATH}/consents/revoke")
async def revoke(request: Request) -> Response:
    return await _change(request, give=False)
