"""The manager console (``/manage``): staff sign-in, sign-out and the landing page."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from server.api.deps import Services
from server.api.threaded_route import run_in_worker_thread
from server.corporate import admins as corporate_admins
from server.corporate.schemas import AdminSignIn
from server.ports.identity import AccessClaims
from server.signins.deps import ClientAddress
from server.staff import service as staff_service
from server.staff.schemas import LoginRequest
from server.tenants import service as tenants
from server.web.console import console_page, home_of, opens, staff_in
from server.web.forms import SignInRefused, sign_in
from server.web.pages import redirect, render
from server.web.sessions import (
    CORPORATE,
    STAFF,
    SignInFirst,
    WebRefusal,
    apply_cookies,
    checked_form,
    end,
    services,
    signed_in,
    zimasa,
)
from server.web.today import locations_today

router = APIRouter(include_in_schema=False)
#: Where a company's admin lands: their own account's page.
CORPORATE_HOME = "/manage/corporate/home"


#: How often an open Today asks for its figures again (htmx polling of the fragment).
TODAY_POLL = "every 1s"


def _today_view(container: Services, claims: AccessClaims) -> dict[str, Any]:
    """The landing page's content; the locations are those the account may see."""
    return {
        "me": staff_service.get_me(uow=container.read_uow(), claims=claims),
        "tenant": tenants.get_tenant(uow=container.read_uow(), claims=claims),
        "poll": TODAY_POLL,
        **_live_view(container, claims),
    }


def _live_view(container: Services, claims: AccessClaims) -> dict[str, Any]:
    """The figures and their version: a digest of everything the fragment shows, which the
    page sends back with each poll so that an unchanged day costs no swap in the browser
    (focus, scroll and screen readers stay where they are)."""
    locations = locations_today(container, claims)
    version = hashlib.sha256(repr(locations).encode()).hexdigest()[:32]
    return {"locations": locations, "version": version}


async def _desk_staff(request: Request) -> AccessClaims:
    """Owners, managers and front-desk staff run the day; a coach's account is refused."""
    return await staff_in(request, "today")


@router.get("/manage/signin")
async def signin_form(request: Request) -> Response:
    return render(request, "manage/signin.html", tenant="", email="", error=None, **zimasa(request))


@router.post("/manage/signin")
async def signin(request: Request, client: ClientAddress) -> Response:
    fields = await checked_form(request)
    tenant, email = fields.get("tenant", "").strip().lower(), fields.get("email", "")
    values = {"tenant": tenant, "email": email, "password": fields.get("password", "")}
    container = services(request)
    # One page for both: an address that names a company's admin signs in as one.
    corporate = bool(tenant and email) and await run_in_worker_thread(
        corporate_admins.is_admin_address, container.read_uow(), tenant, email
    )
    try:
        if corporate:
            await sign_in(request, CORPORATE, corporate_admins.login, AdminSignIn, values, client)
        else:
            await sign_in(request, STAFF, staff_service.login, LoginRequest, values, client)
    except SignInRefused as exc:
        return render(
            request,
            "manage/signin.html",
            exc.status,
            tenant=tenant,
            email=email,
            error=exc.message,
            **zimasa(request),
        )
    return redirect(request, CORPORATE_HOME if corporate else "/manage")


@router.get("/manage")
async def today(request: Request) -> Response:
    """The day at the desk; an account whose role does not run the day (a coach) is sent to
    its own first section."""
    claims = await signed_in(request, STAFF)
    home = home_of(claims.role)
    if not opens(claims.role, "today") and home is not None:
        return redirect(request, home)
    claims = await _desk_staff(request)
    view = await run_in_worker_thread(_today_view, services(request), claims)
    return console_page(request, "manage/today.html", claims, "today", **view)


@router.get("/manage/today/live")
async def today_live(request: Request) -> Response:
    """The figures alone, for the open page to swap in. A sign-in that has ended (or an
    account refused) sends the whole page elsewhere rather than into the fragment."""
    try:
        claims = await _desk_staff(request)
    except SignInFirst as exc:
        return _elsewhere(request, exc.location)
    except WebRefusal:
        return _elsewhere(request, "/manage")
    view = await run_in_worker_thread(_live_view, services(request), claims)
    if request.query_params.get("v") == view["version"]:
        return apply_cookies(request, Response(status_code=204))
    return render(request, "manage/_today_live.html", **view)


def _elsewhere(request: Request, location: str) -> Response:
    response = apply_cookies(request, HTMLResponse(""))
    response.headers["hx-redirect"] = location
    return response


@router.post("/manage/signout")
async def signout(request: Request) -> Response:
    await checked_form(request)
    claims = await signed_in(request, STAFF)
    await run_in_worker_thread(end, request, STAFF, claims)
    return redirect(request, "/manage/signin")
