"""The member app (``/app``): sign-in by the provider's slug, My pass, sign-out, and what
makes it installable and open with no network (manifest, service worker)."""

from __future__ import annotations

import base64
import re
import uuid
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, Response

from server.api.deps import Services
from server.api.threaded_route import run_in_worker_thread
from server.members import accounts
from server.members.schemas import MemberLoginRequest
from server.passes import service as passes
from server.ports.identity import AccessClaims
from server.signins.deps import ClientAddress
from server.tenants import service as tenants
from server.web.formatting import Formats
from server.web.forms import SignInRefused, sign_in
from server.web.member_app import member_page
from server.web.pages import STATIC_DIR, redirect, render
from server.web.sessions import (
    MEMBERS,
    WebRefusal,
    checked_form,
    end,
    services,
    signed_in,
    zimasa,
)

#: A provider's locations read to find a member's home: more than a provider has.
_LOCATIONS = 200

router = APIRouter(include_in_schema=False)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
#: Remembers the provider a member signed in with, so that a sign-in that has ended
#: comes back to that provider's form. Not a secret: the slug is in the address.
TENANT_COOKIE = "zmos_tenant"


def _tenant_form(request: Request) -> str:
    slug = request.cookies.get(TENANT_COOKIE, "")
    return f"/app/{slug}/signin" if _SLUG.match(slug) else "/app/signin"


@router.get("/app/signin")
async def choose_provider(request: Request, tenant: str = "") -> Response:
    """Where an ended sign-in lands: the provider remembered, or a field for its slug, which
    leads to the provider's public page (its sign-in, sign-up and timetable)."""
    slug = tenant.strip().lower()
    if _SLUG.match(slug):
        return redirect(request, f"/app/{slug}")
    remembered = _tenant_form(request)
    if remembered != "/app/signin" and not tenant:
        return redirect(request, remembered)
    return render(request, "app/provider.html", 422 if tenant else 200, slug=tenant)


def _slug(tenant_slug: str) -> str:
    """The provider's slug from the address; one that no provider can have is no page."""
    slug = tenant_slug.lower()
    if not _SLUG.match(slug):
        raise WebRefusal(404, "No such page", "This address is not a gym's sign-in page.")
    return slug


@router.get("/app/{tenant_slug}/signin")
async def signin_form(request: Request, tenant_slug: str) -> Response:
    return render(
        request, "app/signin.html", slug=_slug(tenant_slug), email="", error=None, **zimasa(request)
    )


@router.post("/app/{tenant_slug}/signin")
async def signin(request: Request, tenant_slug: str, client: ClientAddress) -> Response:
    slug = _slug(tenant_slug)
    fields = await checked_form(request)
    email = fields.get("email", "")
    try:
        await sign_in(
            request,
            MEMBERS,
            accounts.login,
            MemberLoginRequest,
            {"tenant": slug, "email": email, "password": fields.get("password", "")},
            client,
        )
    except SignInRefused as exc:
        return render(
            request,
            "app/signin.html",
            exc.status,
            slug=slug,
            email=email,
            error=exc.message,
            unconfirmed=exc.status == 403,
            **zimasa(request),
        )
    response = redirect(request, "/app/pass")
    response.set_cookie(
        TENANT_COOKIE, slug, path="/app", samesite="lax", secure=request.url.scheme == "https"
    )
    return response


def _pass_view(container: Services, claims: AccessClaims) -> dict[str, Any]:
    me = accounts.get_me(uow=container.read_uow(), claims=claims)
    issued = passes.current_pass_of_member(
        uow=container.uow(), settings=container.settings, claims=claims
    )
    # The image is in the page itself: the service worker keeps one response, and the pass
    # opens at the door with no network exactly as it was last seen.
    return {
        "name": f"{me.first_name} {me.last_name}",
        "qr": _qr_image(issued.token or ""),
        "expires": _formats(container, claims, me.home_location_id).date(issued.expires_at),
    }


@lru_cache(maxsize=1024)
def _qr_image(token: str) -> str:
    """The pass's code as a data URL. Drawing it is most of the page's time, and a member's
    token stays the same until the pass is reissued: each process keeps the latest few."""
    png = passes.render_png(token, box_size=12)
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _formats(
    container: Services, claims: AccessClaims, home_location_id: uuid.UUID | None
) -> Formats:
    """How the member's home location writes dates (else the provider's first location's)."""
    places = tenants.list_locations(
        uow=container.read_uow(), claims=claims, limit=_LOCATIONS, offset=0
    ).items
    place = next((p for p in places if p.id == home_location_id), places[0] if places else None)
    if place is None:
        return Formats()
    return Formats.of(place)


@router.get("/app/pass")
async def my_pass(request: Request) -> Response:
    claims = await signed_in(request, MEMBERS)
    view = await run_in_worker_thread(_pass_view, services(request), claims)
    return member_page(request, "app/pass.html", "pass", **view)


@router.get("/app")
async def home(request: Request) -> Response:
    return redirect(request, "/app/pass")


@router.post("/app/signout")
async def signout(request: Request) -> Response:
    await checked_form(request)
    claims = await signed_in(request, MEMBERS)
    await run_in_worker_thread(end, request, MEMBERS, claims)
    return render(request, "app/signed_out.html", again=_tenant_form(request))


@router.get("/app/manifest.webmanifest")
async def manifest() -> Response:
    return FileResponse(
        STATIC_DIR / "app" / "manifest.webmanifest", media_type="application/manifest+json"
    )


@router.get("/app/sw.js")
async def service_worker() -> Response:
    """Served under ``/app`` so that its scope is the whole member app."""
    return FileResponse(
        STATIC_DIR / "app" / "sw.js",
        media_type="text/javascript",
        headers={"cache-control": "no-cache"},
    )
