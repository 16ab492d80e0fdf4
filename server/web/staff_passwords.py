"""The console's password pages: a forgotten staff password, choosing one from a reset or
invitation code, and sending an invitation again from Set-up. Each calls the staff
services; their refusals are said on the page, in the API's words."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.staff import passwords
from server.staff.schemas import StaffPasswordResetConfirm, StaffPasswordResetRequest
from server.web.forms import Refused, command, form_call, one_time_code, sentence
from server.web.pages import redirect, render
from server.web.sessions import checked_form, services
from server.web.setup_common import admin, call, parse_id

router = APIRouter(include_in_schema=False)
#: What the schemas' bounds mean to a person filling the form.
_FIELD_WORDS = {
    "tenant": "Enter the short name of your gym or studio.",
    "email": "Enter a valid email address.",
    "password": "Choose a password of at least 10 characters.",
    "token": "Enter the code from the email.",
}


def _reset_page(request: Request, status: int = 200, **values: Any) -> Response:
    blank = {"tenant": "", "email": "", "error": None}
    return render(request, "manage/reset.html", status, **{**blank, **values})


@router.get("/manage/reset")
async def reset_form(request: Request) -> Response:
    return _reset_page(request)


@router.post("/manage/reset")
async def reset(request: Request) -> Response:
    fields = await checked_form(request)
    tenant = fields.get("tenant", "").strip().lower()
    email = fields.get("email", "").strip()
    container = services(request)
    try:
        cmd = command(StaffPasswordResetRequest, {"tenant": tenant, "email": email}, _FIELD_WORDS)
        await form_call(
            passwords.request_reset,
            uow=container.uow(),
            notifications=container.notifications,
            settings=container.settings,
            cmd=cmd,
        )
    except Refused as exc:
        return _reset_page(request, exc.status, tenant=tenant, email=email, error=exc.message)
    return render(
        request,
        "manage/reset_sent.html",
        title="Check your email",
        detail=sentence(passwords.RESET_ACCEPTED),
    )


def _confirm_page(request: Request, code: str, status: int = 200, **values: Any) -> Response:
    return render(
        request, "manage/reset_confirm.html", status, code=code, **{"error": None, **values}
    )


@router.get("/manage/reset/confirm")
async def confirm_form(request: Request, code: str = "") -> Response:
    """Where reset and invitation mails link to: the code rides along in the form, and only
    the button uses it (a mail scanner opening the link changes nothing)."""
    return _confirm_page(request, one_time_code(code))


@router.post("/manage/reset/confirm")
async def confirm(request: Request) -> Response:
    fields = await checked_form(request)
    code = one_time_code(fields.get("code", ""))
    password = fields.get("password", "")
    container = services(request)
    try:
        if password != fields.get("password_again", ""):
            raise Refused(422, "The two passwords are not the same: type the new one twice.")
        cmd = command(
            StaffPasswordResetConfirm, {"token": code, "password": password}, _FIELD_WORDS
        )
        await form_call(
            passwords.confirm,
            uow=container.uow(),
            identity=container.identity,
            grants=container.grants,
            cmd=cmd,
        )
    except Refused as exc:
        return _confirm_page(request, code, exc.status, error=exc.message)
    return render(
        request,
        "manage/reset_done.html",
        title="Your password is set",
        detail="Every earlier sign-in of your account has ended. Sign in with the new password.",
    )


@router.post("/manage/setup/staff/{raw_id}/invitation")
async def resend_invitation(request: Request, raw_id: str) -> Response:
    await checked_form(request)
    claims = await admin(request)
    staff_id = parse_id(raw_id)
    container = services(request)

    def send() -> None:
        passwords.resend_invitation(
            uow=container.uow(),
            notifications=container.notifications,
            claims=claims,
            staff_id=staff_id,
            public_url=container.settings.public_url,
        )

    await call(send)
    return redirect(request, "/manage/setup/staff?invited=1")
