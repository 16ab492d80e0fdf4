"""The console's Members (``/manage/members``): search, a member's profile with what can be
done there (details, photo, alerts, memberships sold, frozen and cancelled, passes, visits,
bookings, penalties), and the CSV import with its progress and per-line report."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError
from server.members import service as members_service
from server.members.deps import MAX_CSV_BYTES
from server.members.rules import MAX_PHOTO_BYTES
from server.members.schemas import ImportResult, MemberUpdate
from server.plans.member_import import ImportMemberships
from server.ports.identity import AccessClaims
from server.web import members_view as view
from server.web.console import console_page, opens, staff_in
from server.web.member_uploads import checked_upload, job_of, start_import
from server.web.pages import redirect, render
from server.web.sessions import WebRefusal, checked_form, services
from shared.clock import utcnow
from shared.enums import ADMIN_ROLES

router = APIRouter(include_in_schema=False)

SECTION = "members"
BASE = "/manage/members"
#: How often an open import page asks how far the import has got.
IMPORT_POLL = "every 500ms"
_DETAILS = ("first_name", "last_name", "email", "phone", "date_of_birth", "barcode", "card_number")
_PHOTO_TYPES = ("image/png", "image/jpeg")


def _id(value: str, what: str = "member") -> uuid.UUID:
    """An id from the address; anything else is a page that is not there."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise WebRefusal(404, "Not found", f"There is no such {what}.") from None


def _refusal(exc: DomainError) -> WebRefusal:
    return WebRefusal(exc.status, exc.title, exc.detail[:1].upper() + exc.detail[1:] + ".")


async def _run(fn: Callable[..., Any], request: Request, *args: Any) -> Any:
    """A view function in a worker thread; a service's refusal becomes its page."""
    try:
        return await run_in_worker_thread(fn, services(request), *args)
    except DomainError as exc:
        raise _refusal(exc) from None


# --- search ----------------------------------------------------------------------------------


@router.get(BASE)
async def search(request: Request, q: str = "", offset: int = 0) -> Response:
    claims = await staff_in(request, SECTION)
    q = q.strip()[:100]
    found = await _run(view.search, request, claims, q, max(offset, 0))
    if request.headers.get("hx-request") == "true":
        return render(request, "manage/members/_results.html", **found)
    return console_page(request, "manage/members/search.html", claims, SECTION, **found)


# --- import (before the member's routes: "import" is not a member's id) ----------------------


@router.get(f"{BASE}/import")
async def import_form(request: Request) -> Response:
    claims = await staff_in(request, SECTION)
    return console_page(request, "manage/members/import.html", claims, SECTION, error=None)


@router.post(f"{BASE}/import")
async def import_file(request: Request) -> Response:
    claims = await staff_in(request, SECTION)
    upload = await checked_upload(request, "file", MAX_CSV_BYTES)
    if not upload.data.strip():
        return console_page(
            request,
            "manage/members/import.html",
            claims,
            SECTION,
            422,
            error="Choose a CSV file with a header row and at least one member.",
        )
    container = services(request)

    def run(data: bytes) -> ImportResult:
        return members_service.import_members(
            uow=container.uow(),
            claims=claims,
            data=data,
            notifications=container.notifications,
            memberships=ImportMemberships(),
            public_url=container.settings.public_url,
        )

    job = start_import(claims, upload.filename or "members.csv", upload.data, run)
    return redirect(request, f"{BASE}/import/{job.id}")


def _job(claims: AccessClaims, job_id: str) -> Any:
    job = job_of(claims, _id(job_id, "import"))
    if job is None:
        raise WebRefusal(404, "Not found", "There is no such import.")
    return job


@router.get(f"{BASE}/import/{{job_id}}")
async def import_page(request: Request, job_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    job = _job(claims, job_id)
    return console_page(
        request, "manage/members/import_job.html", claims, SECTION, job=job, poll=IMPORT_POLL
    )


@router.get(f"{BASE}/import/{{job_id}}/progress")
async def import_progress(request: Request, job_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    job = _job(claims, job_id)
    response = render(request, "manage/members/_import_progress.html", job=job, poll=IMPORT_POLL)
    response.headers["cache-control"] = "no-store"
    return response


# --- a member --------------------------------------------------------------------------------


async def _profile(
    request: Request,
    claims: AccessClaims,
    member_id: uuid.UUID,
    status: int = 200,
    errors: dict[str, str] | None = None,
    sent: dict[str, str] | None = None,
) -> Response:
    shown = await _run(view.profile, request, claims, member_id)
    shown.errors, shown.sent = errors or {}, sent or {}
    return console_page(
        request,
        "manage/members/profile.html",
        claims,
        SECTION,
        status,
        p=shown,
        now=utcnow(),
        may_privacy=claims.role in ADMIN_ROLES,
        may_messages=opens(claims.role, "setup"),
    )


@router.get(f"{BASE}/{{member_id}}")
async def member(request: Request, member_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    return await _profile(request, claims, _id(member_id))


async def _change(
    request: Request,
    claims: AccessClaims,
    member_id: uuid.UUID,
    form: str,
    fields: dict[str, str],
    fn: Callable[..., Any],
    *args: Any,
) -> Response:
    """Does the change and goes back to the profile; a refusal of what was sent (bad input,
    a conflict) shows the profile again with the message by that form, nothing changed."""
    try:
        await run_in_worker_thread(fn, services(request), claims, member_id, *args)
    except DomainError as exc:
        if exc.status in (409, 422):
            message = exc.detail[:1].upper() + exc.detail[1:]
            return await _profile(request, claims, member_id, exc.status, {form: message}, fields)
        raise _refusal(exc) from None
    return redirect(request, f"{BASE}/{member_id}#{form}")


async def _bad(
    request: Request,
    claims: AccessClaims,
    member_id: uuid.UUID,
    form: str,
    message: str,
    fields: dict[str, str],
) -> Response:
    return await _profile(request, claims, member_id, 422, {form: message}, fields)


def _problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]).replace("_", " ")
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


@router.post(f"{BASE}/{{member_id}}")
async def update_details(request: Request, member_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    mid = _id(member_id)
    fields = await checked_form(request)
    values = {name: fields.get(name, "").strip() or None for name in _DETAILS}
    try:
        cmd = MemberUpdate.model_validate(values)
    except ValidationError as exc:
        return await _bad(request, claims, mid, "details", _problem(exc), fields)
    return await _change(request, claims, mid, "details", fields, view.update_details, cmd)


@router.post(f"{BASE}/{{member_id}}/photo")
async def photo(request: Request, member_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    mid = _id(member_id)
    upload = await checked_upload(request, "photo", MAX_PHOTO_BYTES)
    if upload.content_type not in _PHOTO_TYPES:
        return await _bad(
            request, claims, mid, "photo", "The photo must be a PNG or JPEG image.", {}
        )
    return await _change(
        request, claims, mid, "photo", {}, view.set_photo, upload.data, upload.content_type
    )


@router.post(f"{BASE}/{{member_id}}/alerts")
async def add_alert(request: Request, member_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    mid = _id(member_id)
    fields = await checked_form(request)
    text = fields.get("text", "").strip()
    if not text:
        return await _bad(request, claims, mid, "alerts", "Write the note for the desk.", fields)
    if len(text) > 500:
        return await _bad(
            request, claims, mid, "alerts", "Keep the note under 500 characters.", fields
        )
    return await _change(request, claims, mid, "alerts", fields, view.add_alert, text)


@router.post(f"{BASE}/{{member_id}}/alerts/{{alert_id}}/resolve")
async def resolve_alert(request: Request, member_id: str, alert_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    mid, aid = _id(member_id), _id(alert_id, "alert")
    fields = await checked_form(request)
    return await _change(request, claims, mid, "alerts", fields, view.resolve_alert, aid)


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.post(f"{BASE}/{{member_id}}/sell")
async def sell(request: Request, member_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    mid = _id(member_id)
    fields = await checked_form(request)
    try:
        plan_id = uuid.UUID(fields.get("plan_id", ""))
    except ValueError:
        return await _bad(request, claims, mid, "sell", "Choose a plan.", fields)
    try:
        location_id = uuid.UUID(fields.get("location_id", ""))
    except ValueError:
        return await _bad(request, claims, mid, "sell", "Choose where it is sold.", fields)
    starts_on = _day(fields.get("starts_on", ""))
    if fields.get("starts_on") and starts_on is None:
        return await _bad(request, claims, mid, "sell", "The start date is not a date.", fields)
    try:
        discount = Decimal(fields.get("discount", "").strip() or "0").quantize(Decimal("0.01"))
    except InvalidOperation:
        return await _bad(request, claims, mid, "sell", "The discount is not an amount.", fields)
    if discount < 0:
        return await _bad(request, claims, mid, "sell", "The discount cannot be negative.", fields)
    method = fields.get("method", "")
    if method not in ("cash", "card_terminal"):
        return await _bad(request, claims, mid, "sell", "Choose how it is paid.", fields)
    reason = fields.get("discount_reason", "").strip()[:200] or None
    sale = view.Sale(plan_id, location_id, starts_on, method, discount, reason)
    try:
        return await _change(request, claims, mid, "sell", fields, view.sell, sale)
    except ValidationError as exc:
        return await _bad(request, claims, mid, "sell", _problem(exc), fields)


@router.post(f"{BASE}/{{member_id}}/memberships/{{membership_id}}/freeze")
async def freeze(request: Request, member_id: str, membership_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    mid, ms = _id(member_id), _id(membership_id, "membership")
    fields = await checked_form(request)
    until = _day(fields.get("until", ""))
    if until is None:
        return await _bad(
            request, claims, mid, "memberships", "Give the day the membership resumes.", fields
        )
    return await _change(request, claims, mid, "memberships", fields, view.freeze, ms, until)


@router.post(f"{BASE}/{{member_id}}/memberships/{{membership_id}}/unfreeze")
async def unfreeze(request: Request, member_id: str, membership_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    mid, ms = _id(member_id), _id(membership_id, "membership")
    fields = await checked_form(request)
    return await _change(request, claims, mid, "memberships", fields, view.unfreeze, ms)


@router.post(f"{BASE}/{{member_id}}/memberships/{{membership_id}}/cancel")
async def cancel(request: Request, member_id: str, membership_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    mid, ms = _id(member_id), _id(membership_id, "membership")
    fields = await checked_form(request)
    reason = fields.get("reason", "").strip()[:300] or None
    return await _change(request, claims, mid, "memberships", fields, view.cancel, ms, reason)


@router.post(f"{BASE}/{{member_id}}/passes")
async def issue_pass(request: Request, member_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    mid = _id(member_id)
    fields = await checked_form(request)
    return await _change(request, claims, mid, "passes", fields, view.issue_pass)


@router.post(f"{BASE}/{{member_id}}/passes/{{pass_id}}/revoke")
async def revoke_pass(request: Request, member_id: str, pass_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    mid, pid = _id(member_id), _id(pass_id, "pass")
    fields = await checked_form(request)
    reason = fields.get("reason", "").strip()
    if not reason or len(reason) > 200:
        return await _bad(
            request,
            claims,
            mid,
            "passes",
            "Say why the pass is revoked (up to 200 characters).",
            fields,
        )
    return await _change(request, claims, mid, "passes", fields, view.revoke_pass, pid, reason)


@router.post(f"{BASE}/{{member_id}}/penalties/{{penalty_id}}/waive")
async def waive(request: Request, member_id: str, penalty_id: str) -> Response:
    claims = await staff_in(request, SECTION)
    mid, pid = _id(member_id), _id(penalty_id, "penalty")
    fields = await checked_form(request)
    reason = fields.get("reason", "").strip()
    if not 3 <= len(reason) <= 300:
        return await _bad(
            request,
            claims,
            mid,
            "penalties",
            "Say why the penalty is waived (3 to 300 characters).",
            fields,
        )
    return await _change(request, claims, mid, "penalties", fields, view.waive, pid, reason)
