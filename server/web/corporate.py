"""The console's corporate pages: owners and managers list, create and change accounts,
add departments, invite admins and upload rosters (a dry run first, then apply); a
company's admin lands on their own account's page and sees nothing else. Thin: parse the
form, call the view builders in a worker thread, render."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.corporate import admins, invitations, service
from server.corporate.schemas import (
    AccountCreate,
    AccountUpdate,
    AdminInvite,
    AdminPasswordSet,
    DepartmentCreate,
    InvitationAccept,
    RosterReport,
)
from server.errors import DomainError, InvalidInput
from server.ports.identity import AccessClaims
from server.web import corporate_view as view
from server.web.console import staff_in
from server.web.corporate_access import SECTION, corporate_page, corporate_viewer
from server.web.forms import Refused, command, one_time_code, sentence
from server.web.member_uploads import checked_upload
from server.web.pages import redirect, render
from server.web.sessions import (
    CORPORATE,
    WebRefusal,
    checked_form,
    end,
    services,
    signed_in,
)

router = APIRouter(include_in_schema=False)
LIST = "/manage/corporate"
#: A roster file's largest size from the page (the API takes the same).
MAX_ROSTER_BYTES = 5 * 1024 * 1024


def _id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise WebRefusal(404, "Not found", "There is no such corporate account.") from None


def _refusal(exc: DomainError) -> WebRefusal:
    return WebRefusal(exc.status, exc.title, sentence(exc.detail))


# --- the list ------------------------------------------------------------------------------


async def _list(
    request: Request, claims: AccessClaims, status: int = 200, **values: Any
) -> Response:
    archived = request.query_params.get("archived") == "1"
    found = await run_in_worker_thread(view.accounts, services(request), claims, archived)
    values.setdefault("error", None)
    values.setdefault("sent", {})
    return corporate_page(
        request, "manage/corporate/accounts.html", claims, status, **found, **values
    )


@router.get(LIST)
async def accounts(request: Request) -> Response:
    claims = await staff_in(request, SECTION)
    return await _list(request, claims)


@router.post(LIST)
async def create_account(request: Request) -> Response:
    claims = await staff_in(request, SECTION)
    fields = await checked_form(request)
    values = view.account_fields(fields)
    try:
        cmd = command(AccountCreate, {k: v for k, v in values.items() if v}, view.ACCOUNT_WORDS)
        account_id = await run_in_worker_thread(view.create_account, services(request), claims, cmd)
    except Refused as exc:
        return await _list(request, claims, exc.status, error=exc.message, sent=fields)
    except DomainError as exc:
        return await _list(request, claims, exc.status, error=sentence(exc.detail), sent=fields)
    return redirect(request, f"{LIST}/{account_id}?done=created")


@router.get(f"{LIST}/home")
async def corporate_home(request: Request) -> Response:
    """Where a company's admin lands after signing in: their own account."""
    claims = await signed_in(request, CORPORATE)
    try:
        account_id = await run_in_worker_thread(view.home_account, services(request), claims)
    except DomainError as exc:
        raise _refusal(exc) from None
    return redirect(request, f"{LIST}/{account_id}")


# --- an admin's welcome (choosing a password) ----------------------------------------------


@router.get(f"{LIST}/welcome")
async def welcome(request: Request) -> Response:
    code = one_time_code(request.query_params.get("code", ""))
    return render(request, "manage/corporate/welcome.html", code=code, error=None, done=False)


@router.post(f"{LIST}/welcome")
async def choose_password(request: Request) -> Response:
    fields = await checked_form(request)
    code = one_time_code(fields.get("code", ""))
    container = services(request)
    try:
        cmd = command(
            AdminPasswordSet,
            {"token": code, "password": fields.get("password", "")},
            {
                "token": "Enter the code from the email.",
                "password": "Choose a password of at least 10 characters.",
            },
        )
        await run_in_worker_thread(
            lambda: admins.set_password(
                uow=container.uow(), identity=container.identity, grants=container.grants, cmd=cmd
            )
        )
    except Refused as exc:
        return render(
            request,
            "manage/corporate/welcome.html",
            exc.status,
            code=code,
            error=exc.message,
            done=False,
        )
    except DomainError as exc:
        return render(
            request,
            "manage/corporate/welcome.html",
            exc.status,
            code=code,
            error=sentence(exc.detail),
            done=False,
        )
    return render(request, "manage/corporate/welcome.html", code="", error=None, done=True)


@router.post(f"{LIST}/signout")
async def signout(request: Request) -> Response:
    await checked_form(request)
    claims = await signed_in(request, CORPORATE)
    await run_in_worker_thread(end, request, CORPORATE, claims)
    return redirect(request, "/manage/signin")


# --- an account ----------------------------------------------------------------------------


async def _account(
    request: Request,
    claims: AccessClaims,
    account_id: uuid.UUID,
    status: int = 200,
    **values: Any,
) -> Response:
    chosen = view.parse_filter(request.query_params)
    try:
        found = await run_in_worker_thread(
            view.account_page, services(request), claims, account_id, chosen
        )
    except DomainError as exc:
        raise _refusal(exc) from None
    values.setdefault("error", None)
    values.setdefault("report", None)
    values.setdefault("csv_text", "")
    values.setdefault("mode", "delta")
    values.setdefault("good_rows", False)
    return corporate_page(
        request,
        "manage/corporate/account.html",
        claims,
        status,
        done=request.query_params.get("done", ""),
        **found,
        **values,
    )


@router.get(f"{LIST}/{{account_id}}")
async def account(request: Request, account_id: str) -> Response:
    claims = await corporate_viewer(request)
    return await _account(request, claims, _id(account_id))


@router.post(f"{LIST}/{{account_id}}/details")
async def update_account(request: Request, account_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    aid = _id(account_id)
    fields = await checked_form(request)
    try:
        cmd = command(AccountUpdate, view.account_fields(fields), view.ACCOUNT_WORDS)
        await run_in_worker_thread(view.update_account, services(request), claims, aid, cmd)
    except Refused as exc:
        return await _account(request, claims, aid, exc.status, error=("details", exc.message))
    except InvalidInput as exc:
        return await _account(request, claims, aid, 422, error=("details", sentence(exc.detail)))
    except DomainError as exc:
        if exc.status == 409:
            return await _account(
                request, claims, aid, 409, error=("details", sentence(exc.detail))
            )
        raise _refusal(exc) from None
    return redirect(request, f"{LIST}/{aid}?done=saved")


@router.post(f"{LIST}/{{account_id}}/archive")
async def archive_account(request: Request, account_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    aid = _id(account_id)
    await checked_form(request)
    container = services(request)
    try:
        await run_in_worker_thread(
            lambda: service.archive_account(uow=container.uow(), claims=claims, account_id=aid)
        )
    except DomainError as exc:
        raise _refusal(exc) from None
    return redirect(request, f"{LIST}/{aid}?done=archived")


@router.post(f"{LIST}/{{account_id}}/departments")
async def add_department(request: Request, account_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    aid = _id(account_id)
    fields = await checked_form(request)
    try:
        cmd = command(
            DepartmentCreate,
            {"name": fields.get("name", ""), "cost_centre": fields.get("cost_centre") or None},
            {
                "name": "Give the department a name.",
                "cost_centre": "The cost centre is at most 40 characters.",
            },
        )
        await run_in_worker_thread(view.add_department, services(request), claims, aid, cmd)
    except Refused as exc:
        return await _account(request, claims, aid, exc.status, error=("departments", exc.message))
    except DomainError as exc:
        if exc.status in (409, 422):
            return await _account(
                request, claims, aid, exc.status, error=("departments", sentence(exc.detail))
            )
        raise _refusal(exc) from None
    return redirect(request, f"{LIST}/{aid}?done=department#departments-h")


@router.post(f"{LIST}/{{account_id}}/admins")
async def invite_admin(request: Request, account_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    aid = _id(account_id)
    fields = await checked_form(request)
    try:
        cmd = command(
            AdminInvite,
            {"email": fields.get("email", ""), "full_name": fields.get("full_name", "")},
            {"email": "Enter the admin's email address.", "full_name": "Enter the admin's name."},
        )
        await run_in_worker_thread(view.invite_admin, services(request), claims, aid, cmd)
    except Refused as exc:
        return await _account(request, claims, aid, exc.status, error=("admins", exc.message))
    except DomainError as exc:
        if exc.status in (409, 422):
            return await _account(
                request, claims, aid, exc.status, error=("admins", sentence(exc.detail))
            )
        raise _refusal(exc) from None
    return redirect(request, f"{LIST}/{aid}?done=invited")


@router.post(f"{LIST}/{{account_id}}/invitations")
async def send_invitations(request: Request, account_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    aid = _id(account_id)
    await checked_form(request)
    container = services(request)
    try:
        sent = await run_in_worker_thread(
            lambda: invitations.send_invitations(
                uow=container.uow(),
                notifications=container.notifications,
                claims=claims,
                account_id=aid,
                public_url=container.settings.public_url,
            )
        )
    except DomainError as exc:
        raise _refusal(exc) from None
    return redirect(request, f"{LIST}/{aid}?done=sent-{sent.sent}")


@router.post(f"{LIST}/{{account_id}}/roster")
async def upload_roster(request: Request, account_id: str) -> Response:
    """A roster file (or, from a dry run's report, the same text again): checked and
    reported (``check``) or applied (``apply``)."""
    claims = await corporate_viewer(request)
    aid = _id(account_id)
    upload = await checked_upload(request, "file", MAX_ROSTER_BYTES)
    fields = upload.fields
    data = upload.data or fields.get("csv_text", "").encode()
    mode = "full" if fields.get("mode") == "full" else "delta"
    good_rows = fields.get("good_rows") == "yes"
    dry_run = fields.get("action") != "apply"
    container = services(request)
    keep: dict[str, Any] = {
        "csv_text": data.decode("utf-8", "replace"),
        "mode": mode,
        "good_rows": good_rows,
    }
    try:
        report: RosterReport = await run_in_worker_thread(
            lambda: service.upload_roster(
                uow=container.uow(),
                claims=claims,
                account_id=aid,
                data=data,
                full=mode == "full",
                dry_run=dry_run,
                apply_good_rows=good_rows,
            )
        )
    except InvalidInput as exc:
        found = exc.extensions.get("report")
        shown = RosterReport.model_validate(found) if found else None
        return await _account(
            request, claims, aid, 422, error=("roster", sentence(exc.detail)), report=shown, **keep
        )
    except DomainError as exc:
        if exc.status == 409:
            return await _account(request, claims, aid, 409, error=("roster", sentence(exc.detail)))
        raise _refusal(exc) from None
    if dry_run:
        return await _account(request, claims, aid, report=report, **keep)
    return redirect(
        request,
        f"{LIST}/{aid}?done=applied-{report.added}-{report.updated}-{report.ended}#roster-h",
    )


# --- an employee accepts their invitation (no sign-in: the code is the credential) ---------

JOIN = "/app/corporate/join"
JOIN_TEMPLATE = "app/corporate_join.html"


@router.get(JOIN)
async def join(request: Request) -> Response:
    code = one_time_code(request.query_params.get("code", ""))
    return render(request, JOIN_TEMPLATE, code=code, error=None, accepted=None)


@router.post(JOIN)
async def accept_invitation(request: Request) -> Response:
    fields = await checked_form(request)
    code = one_time_code(fields.get("code", ""))
    container = services(request)
    try:
        cmd = command(
            InvitationAccept,
            {"token": code, "password": fields.get("password") or None},
            {
                "token": "Enter the code from the email.",
                "password": "Choose a password of at least 10 characters.",
            },
        )
        accepted = await run_in_worker_thread(
            lambda: invitations.accept(uow=container.uow(), identity=container.identity, cmd=cmd)
        )
    except Refused as exc:
        return render(
            request, JOIN_TEMPLATE, exc.status, code=code, error=exc.message, accepted=None
        )
    except DomainError as exc:
        return render(
            request, JOIN_TEMPLATE, exc.status, code=code, error=sentence(exc.detail), accepted=None
        )
    return render(request, JOIN_TEMPLATE, code="", error=None, accepted=accepted)
