"""The member app's account pages: sign-up, the email confirmation the mail links to, a
forgotten password, and setting a password from a reset or invitation code. Each calls the
members' own services; their refusals are said on the page, in the API's words."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.members import accounts, passwords
from server.members.schemas import (
    MemberSignup,
    PasswordResetConfirm,
    PasswordResetRequest,
    VerifyEmailRequest,
)
from server.web.forms import Refused, command, form_call, one_time_code, sentence
from server.web.member_pages import _slug
from server.web.pages import render
from server.web.sessions import checked_form, services

router = APIRouter(include_in_schema=False)
#: What the schemas' bounds mean to a person filling the form.
_FIELD_WORDS = {
    "first_name": "Enter your first name (at most 100 characters).",
    "last_name": "Enter your last name (at most 100 characters).",
    "email": "Enter a valid email address.",
    "password": "Choose a password of at least 10 characters.",
    "token": "Enter the code from the email.",
}


# --- sign-up and email confirmation --------------------------------------------------------


def _signup_page(request: Request, slug: str, status: int = 200, **values: Any) -> Response:
    blank = {"first_name": "", "last_name": "", "email": "", "error": None}
    return render(request, "app/signup.html", status, slug=slug, **{**blank, **values})


@router.get("/app/{tenant_slug}/signup")
async def signup_form(request: Request, tenant_slug: str) -> Response:
    return _signup_page(request, _slug(tenant_slug))


@router.post("/app/{tenant_slug}/signup")
async def signup(request: Request, tenant_slug: str) -> Response:
    slug = _slug(tenant_slug)
    fields = await checked_form(request)
    typed = {name: fields.get(name, "").strip() for name in ("first_name", "last_name", "email")}
    container = services(request)
    try:
        cmd = command(
            MemberSignup,
            {"tenant": slug, **typed, "password": fields.get("password", "")},
            _FIELD_WORDS,
        )
        await form_call(
            accounts.sign_up,
            uow=container.uow(),
            identity=container.identity,
            notifications=container.notifications,
            cmd=cmd,
            public_url=container.settings.public_url,
        )
    except Refused as exc:
        return _signup_page(request, slug, exc.status, **typed, error=exc.message)
    # The same page whether or not the address was already a member's: the mail says which.
    return render(
        request,
        "app/check_email.html",
        slug=slug,
        title="Check your email",
        detail=sentence(accounts.SIGNUP_ACCEPTED),
    )


def _verify_page(
    request: Request, slug: str, code: str, status: int = 200, **values: Any
) -> Response:
    return render(
        request, "app/verify.html", status, slug=slug, code=code, **{"error": None, **values}
    )


@router.get("/app/{tenant_slug}/verify")
async def verify_form(request: Request, tenant_slug: str, code: str = "") -> Response:
    """Where the confirmation mail links to. Confirming takes a press of the button: a mail
    scanner that opens links must not use the code up."""
    return _verify_page(request, _slug(tenant_slug), one_time_code(code))


@router.post("/app/{tenant_slug}/verify")
async def verify(request: Request, tenant_slug: str) -> Response:
    slug = _slug(tenant_slug)
    fields = await checked_form(request)
    code = one_time_code(fields.get("code", ""))
    try:
        cmd = command(VerifyEmailRequest, {"token": code}, _FIELD_WORDS)
        await form_call(accounts.verify_email, uow=services(request).uow(), token=cmd.token)
    except Refused as exc:
        return _verify_page(request, slug, code, exc.status, error=exc.message)
    return render(
        request,
        "app/done.html",
        slug=slug,
        title="Your email is confirmed",
        detail="You can sign in now.",
    )


# --- a forgotten password, and invitations ------------------------------------------------


def _reset_page(request: Request, slug: str, status: int = 200, **values: Any) -> Response:
    return render(
        request, "app/reset.html", status, slug=slug, **{"email": "", "error": None, **values}
    )


@router.get("/app/{tenant_slug}/reset")
async def reset_form(request: Request, tenant_slug: str) -> Response:
    return _reset_page(request, _slug(tenant_slug))


@router.post("/app/{tenant_slug}/reset")
async def reset(request: Request, tenant_slug: str) -> Response:
    slug = _slug(tenant_slug)
    fields = await checked_form(request)
    email = fields.get("email", "").strip()
    container = services(request)
    try:
        cmd = command(PasswordResetRequest, {"tenant": slug, "email": email}, _FIELD_WORDS)
        await form_call(
            passwords.request_reset,
            uow=container.uow(),
            notifications=container.notifications,
            settings=container.settings,
            cmd=cmd,
        )
    except Refused as exc:
        return _reset_page(request, slug, exc.status, email=email, error=exc.message)
    return render(
        request,
        "app/check_email.html",
        slug=slug,
        title="Check your email",
        detail=sentence(passwords.RESET_ACCEPTED),
    )


def _confirm_page(
    request: Request, slug: str, code: str, status: int = 200, **values: Any
) -> Response:
    return render(
        request, "app/reset_confirm.html", status, slug=slug, code=code, **{"error": None, **values}
    )


@router.get("/app/{tenant_slug}/reset/confirm")
async def confirm_form(request: Request, tenant_slug: str, code: str = "") -> Response:
    """Where reset and invitation mails link to: the code rides along in the form."""
    return _confirm_page(request, _slug(tenant_slug), one_time_code(code))


@router.post("/app/{tenant_slug}/reset/confirm")
async def confirm(request: Request, tenant_slug: str) -> Response:
    slug = _slug(tenant_slug)
    fields = await checked_form(request)
    code = one_time_code(fields.get("code", ""))
    password = fields.get("password", "")
    container = services(request)
    try:
        if password != fields.get("password_again", ""):
            raise Refused(422, "The two passwords are not the same: type the new one twice.")
        cmd = command(PasswordResetConfirm, {"token": code, "password": password}, _FIELD_WORDS)
        await form_call(
            passwords.confirm,
            uow=container.uow(),
            identity=container.identity,
            grants=container.grants,
            cmd=cmd,
        )
    except Refused as exc:
        return _confirm_page(request, slug, code, exc.status, error=exc.message)
    return render(
        request,
        "app/done.html",
        slug=slug,
        title="Your password is set",
        detail="Every earlier sign-in of your account has ended. Sign in with the new password.",
    )
