"""The member app's Account section: the index, memberships with their receipts, visit
history, the calendar subscription link, the profile and password forms; and the public
page that sends a new confirmation email. Thin: parse, call the services with the
member's claims in a worker thread, render."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from server.api.deps import Services
from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError, InvalidInput, TooManyAttempts
from server.members import accounts, profile
from server.members.password_change import change_password
from server.members.schemas import ResendVerificationRequest
from server.ports.identity import AccessClaims
from server.signins.deps import ClientAddress
from server.web import account_forms as forms
from server.web import account_view as view
from server.web.forms import sentence
from server.web.member_app import member_page
from server.web.member_pages import _slug
from server.web.pages import redirect, render
from server.web.sessions import MEMBERS, WebRefusal, checked_form, services, signed_in, start

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
SECTION = "account"
RESEND_ACCEPTED = (
    "If an account with this address is waiting for its email to be confirmed, "
    "we sent it a new confirmation email."
)


async def _run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A view builder or service in a worker thread; its refusal becomes an error page."""
    try:
        return await run_in_worker_thread(lambda: fn(*args, **kwargs))
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, sentence(exc.detail)) from None


async def _member(request: Request) -> tuple[Services, AccessClaims]:
    return services(request), await signed_in(request, MEMBERS)


def _offset(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 9 else 0


@router.get("/app/account")
async def account_index(request: Request) -> Response:
    container, claims = await _member(request)
    values = await _run(view.index_view, container, claims)
    return member_page(request, "app/account/index.html", SECTION, **values)


@router.get("/app/account/memberships")
async def my_memberships(request: Request) -> Response:
    container, claims = await _member(request)
    values = await _run(view.memberships_view, container, claims)
    return member_page(request, "app/account/memberships.html", SECTION, **values)


@router.get("/app/account/receipts/{sale_id}.pdf")
async def my_receipt(request: Request, sale_id: str) -> Response:
    container, claims = await _member(request)
    try:
        wanted = uuid.UUID(sale_id)
    except ValueError:
        raise WebRefusal(404, "Not found", "There is no receipt at this address.") from None
    pdf = await _run(view.receipt_view, container, claims, wanted)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="receipt-{wanted}.pdf"'},
    )


@router.get("/app/account/history")
async def my_history(request: Request, visits: str = "0", classes: str = "0") -> Response:
    container, claims = await _member(request)
    values = await _run(view.history_view, container, claims, _offset(visits), _offset(classes))
    return member_page(request, "app/account/history.html", SECTION, **values)


@router.get("/app/account/calendar")
async def my_calendar(request: Request, new: str = "") -> Response:
    container, claims = await _member(request)
    values = await _run(view.calendar_view, container, claims, str(request.base_url))
    return member_page(request, "app/account/calendar.html", SECTION, renewed=new == "1", **values)


@router.post("/app/account/calendar/reset")
async def new_calendar_link(request: Request) -> Response:
    await checked_form(request)
    container, claims = await _member(request)
    await _run(view.calendar_view, container, claims, str(request.base_url), reset=True)
    return redirect(request, "/app/account/calendar?new=1")


# --- profile and password ------------------------------------------------------------------


def _profile_page(request: Request, status: int = 200, /, **values: Any) -> Response:
    return member_page(
        request,
        "app/account/profile.html",
        SECTION,
        status,
        **{"errors": {}, "saved": False, **values},
    )


@router.get("/app/account/profile")
async def profile_form(request: Request, saved: str = "") -> Response:
    container, claims = await _member(request)
    me = await _run(view.profile_view, container, claims)
    return _profile_page(request, email=me.email, form=forms.profile_values(me), saved=saved == "1")


def _save_profile(container: Services, claims: AccessClaims, typed: dict[str, Any]) -> None:
    me = profile.get_profile(uow=container.read_uow(), claims=claims)
    cmd = forms.profile_command(typed, me.preferences)
    profile.update_profile(uow=container.uow(), claims=claims, cmd=cmd)


@router.post("/app/account/profile")
async def save_profile(request: Request) -> Response:
    fields = await checked_form(request)
    container, claims = await _member(request)
    typed = forms.typed_profile(fields)
    try:
        await run_in_worker_thread(_save_profile, container, claims, typed)
    except forms.FieldErrors as exc:
        me = await _run(view.profile_view, container, claims)
        return _profile_page(request, 422, email=me.email, form=typed, errors=exc.errors)
    except InvalidInput as exc:
        me = await _run(view.profile_view, container, claims)
        errors = {"form": sentence(exc.detail)}
        return _profile_page(request, 422, email=me.email, form=typed, errors=errors)
    return redirect(request, "/app/account/profile?saved=1")


def _password_page(request: Request, status: int = 200, /, **values: Any) -> Response:
    return member_page(
        request,
        "app/account/password.html",
        SECTION,
        status,
        **{"errors": {}, "changed": False, **values},
    )


@router.get("/app/account/password")
async def password_form(request: Request, changed: str = "") -> Response:
    await _member(request)
    return _password_page(request, changed=changed == "1")


@router.post("/app/account/password")
async def save_password(request: Request, client: ClientAddress) -> Response:
    fields = await checked_form(request)
    container, claims = await _member(request)
    try:
        cmd = forms.password_command(fields)
        pair = await run_in_worker_thread(
            lambda: change_password(
                uow=container.uow(),
                identity=container.identity,
                settings=container.settings,
                grants=container.grants,
                claims=claims,
                cmd=cmd,
                client=client,
            )
        )
    except forms.FieldErrors as exc:
        return _password_page(request, 422, errors=exc.errors)
    except TooManyAttempts as exc:
        return _password_page(request, 429, errors={"current_password": sentence(exc.detail)})
    except InvalidInput as exc:
        name = "current_password" if exc.code == "wrong_current_password" else "password"
        return _password_page(request, 422, errors={name: sentence(exc.detail)})
    # This browser's sign-in goes on with the new pair; every other one has ended.
    start(request, MEMBERS, pair)
    return redirect(request, "/app/account/password?changed=1")


# --- a new confirmation email (before signing in) -----------------------------------------


def _resend_page(request: Request, slug: str, status: int = 200, **values: Any) -> Response:
    return render(
        request,
        "app/account/resend.html",
        status,
        slug=slug,
        **{"email": "", "error": None, **values},
    )


@router.get("/app/{tenant_slug}/resend")
async def resend_form(request: Request, tenant_slug: str, email: str = "") -> Response:
    return _resend_page(request, _slug(tenant_slug), email=email.strip()[:320])


@router.post("/app/{tenant_slug}/resend")
async def resend(request: Request, tenant_slug: str) -> Response:
    slug = _slug(tenant_slug)
    fields = await checked_form(request)
    email = fields.get("email", "").strip()
    try:
        cmd = ResendVerificationRequest.model_validate({"tenant": slug, "email": email})
    except ValidationError:
        return _resend_page(request, slug, 422, email=email, error="Enter a valid email address.")
    container = services(request)
    await _run(
        accounts.resend_verification,
        uow=container.uow(),
        notifications=container.notifications,
        settings=container.settings,
        cmd=cmd,
    )
    # The same answer whether or not the address is known, confirmed or over its daily cap.
    return render(
        request,
        "app/check_email.html",
        slug=slug,
        title="Check your email",
        detail=RESEND_ACCEPTED,
    )


@router.get("/app/offline")
async def offline(request: Request) -> Response:
    """What the service worker shows for an app page when there is no network."""
    return render(request, "app/account/offline.html")
