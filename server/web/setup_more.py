"""The set-up pages that are not a list of one kind: the tenant's profile and booking
policy (one each), a location's closures, a session type's instructors, and kiosks."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.bookings import policy_service
from server.bookings.schemas import BookingPolicyRead, BookingPolicyReplace
from server.devices import service as devices
from server.devices.schemas import EnrolmentCodeCreate
from server.errors import DomainError, NotFound
from server.ports.identity import AccessClaims
from server.scheduling import service as scheduling
from server.scheduling.schemas import InstructorsUpdate
from server.tenants import service as tenants
from server.tenants.schemas import TenantRead, TenantUpdate
from server.web import setup_view as view
from server.web.console import console_page
from server.web.formatting import Formats
from server.web.pages import redirect
from server.web.sessions import WebRefusal, checked_form, services
from server.web.setup_common import SECTION, admin, call, parse_id, refused
from server.web.setup_forms import CHECKBOX, EMAIL, NUMBER, Field, Filled, validated, values_of
from server.web.setup_kinds import location_in_scope
from shared.enums import StaffRole

router = APIRouter(include_in_schema=False)
FORM = "manage/setup/form.html"

_CURRENCY = {"autocapitalize": "characters", "maxlength": "3"}
PROFILE_FIELDS = [
    Field("name", "Name", required=True),
    Field("contact_email", "Contact email", EMAIL),
    Field("contact_phone", "Contact phone", attrs={"inputmode": "tel"}),
    Field("currency", "Currency", required=True, hint="Three letters (ISO 4217)", attrs=_CURRENCY),
]
_MONEY = {"inputmode": "decimal"}
POLICY_FIELDS = [
    Field("opens_days_before", "Booking opens (days before)", NUMBER, required=True),
    Field("closes_minutes_before", "Booking closes (minutes before)", NUMBER, required=True),
    Field("late_cancel_minutes", "Late cancel within (minutes)", NUMBER, required=True),
    Field("late_cancel_fee", "Late-cancel fee", hint="Blank: no fee", attrs=_MONEY),
    Field("late_cancel_forfeits_credit", "A late cancel uses up the credit", CHECKBOX),
    Field("no_show_fee", "No-show fee", hint="Blank: no fee", attrs=_MONEY),
    Field("no_show_forfeits_credit", "A no-show uses up the credit", CHECKBOX),
    Field(
        "currency",
        "Fee currency",
        hint="Last resort when neither plan nor location says; blank: the tenant's",
        attrs=_CURRENCY,
    ),
    Field("grace_allowance", "Forgiven per member", NUMBER, required=True),
    Field("grace_period_days", "… within (days)", NUMBER, required=True),
    Field("late_after_minutes", "Late after (minutes from start)", NUMBER, required=True),
]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _single_page(
    request: Request,
    claims: AccessClaims,
    title: str,
    action: str,
    filled: Filled,
    status: int = 200,
    **values: Any,
) -> Response:
    return console_page(
        request,
        FORM,
        claims,
        SECTION,
        status,
        title=title,
        back=("/manage/setup", "Set-up"),
        action=action,
        form=filled,
        submit="Save changes",
        saved="saved" in request.query_params,
        **values,
    )


async def _save_single(
    request: Request,
    claims: AccessClaims,
    form: dict[str, str],
    fields: Sequence[Field],
    model: type[BaseModel],
    save: Callable[[Any], Any],
    title: str,
    action: str,
    **values: Any,
) -> Response:
    cmd, errors, general = validated(model, fields, form)
    status = 422
    if cmd is not None:
        try:
            await run_in_worker_thread(save, cmd)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise refused(exc) from None
            general, status = [refused(exc).detail], exc.status
        else:
            return redirect(request, f"{action}?saved=1")
    filled = Filled(list(fields), values_of(fields, form), errors, general)
    return _single_page(request, claims, title, action, filled, status, **values)


# --- tenant profile ------------------------------------------------------------------------

PROFILE = "/manage/setup/profile"
_OWNERS_ONLY = "Only an owner can change the tenant's profile."


def _profile_values(tenant: TenantRead) -> dict[str, Any]:
    return {
        "name": tenant.name,
        "contact_email": _text(tenant.contact_email),
        "contact_phone": _text(tenant.contact_phone),
        "currency": tenant.currency,
    }


@router.get(PROFILE)
async def profile(request: Request) -> Response:
    claims = await admin(request)
    container = services(request)
    tenant = await call(lambda: tenants.get_tenant(uow=container.read_uow(), claims=claims))
    filled = Filled(PROFILE_FIELDS, _profile_values(tenant))
    note = None if claims.role is StaffRole.OWNER else _OWNERS_ONLY
    return _single_page(request, claims, "Tenant profile", PROFILE, filled, note=note)


@router.post(PROFILE)
async def save_profile(request: Request) -> Response:
    form = await checked_form(request)
    claims = await admin(request)
    if claims.role is not StaffRole.OWNER:
        raise WebRefusal(403, "Not allowed", _OWNERS_ONLY)
    container = services(request)
    return await _save_single(
        request,
        claims,
        form,
        PROFILE_FIELDS,
        TenantUpdate,
        lambda cmd: tenants.update_tenant(uow=container.uow(), claims=claims, cmd=cmd),
        "Tenant profile",
        PROFILE,
    )


# --- booking policy ------------------------------------------------------------------------

POLICY = "/manage/setup/policy"


def _policy_values(policy: BookingPolicyRead) -> dict[str, Any]:
    return {
        f.name: getattr(policy, f.name) if f.kind == CHECKBOX else _text(getattr(policy, f.name))
        for f in POLICY_FIELDS
    }


@router.get(POLICY)
async def policy(request: Request) -> Response:
    claims = await admin(request)
    container = services(request)
    current = await call(lambda: policy_service.get_policy(uow=container.uow(), claims=claims))
    filled = Filled(POLICY_FIELDS, _policy_values(current))
    return _single_page(request, claims, "Booking policy", POLICY, filled)


@router.post(POLICY)
async def save_policy(request: Request) -> Response:
    form = await checked_form(request)
    claims = await admin(request)
    container = services(request)
    return await _save_single(
        request,
        claims,
        form,
        POLICY_FIELDS,
        BookingPolicyReplace,
        lambda cmd: policy_service.put_policy(uow=container.uow(), claims=claims, cmd=cmd),
        "Booking policy",
        POLICY,
    )


# --- instructors ---------------------------------------------------------------------------


@router.post("/manage/setup/session-types/{raw_id}/instructors")
async def set_instructors(request: Request, raw_id: str) -> Response:
    form = await checked_form(request)
    claims = await admin(request)
    type_id = parse_id(raw_id)
    container = services(request)
    try:
        chosen = [uuid.UUID(k.removeprefix("staff.")) for k in form if k.startswith("staff.")]
    except ValueError:
        raise WebRefusal(422, "Instructors not saved", "Choose staff from the list.") from None
    cmd = InstructorsUpdate(staff_ids=chosen)
    await call(
        lambda: scheduling.set_instructors(
            uow=container.uow(), claims=claims, session_type_id=type_id, cmd=cmd
        )
    )
    return redirect(request, f"/manage/setup/session-types/{type_id}?saved=1#instructors")


# --- kiosks --------------------------------------------------------------------------------

KIOSKS = "/manage/setup/kiosks"


@router.get(KIOSKS)
async def kiosks(request: Request) -> Response:
    claims = await admin(request)
    shown = await call(view.kiosks, services(request), claims)
    return console_page(request, "manage/setup/kiosks.html", claims, SECTION, code=None, **shown)


@router.post(f"{KIOSKS}/codes")
async def new_code(request: Request) -> Response:
    """The code is shown on this answer only (it is stored hashed), so no redirect."""
    form = await checked_form(request)
    claims = await admin(request)
    location_id = parse_id(form.get("location_id", ""))
    container = services(request)

    def make() -> Any:
        location = location_in_scope(container, claims, location_id)
        made = devices.create_enrolment_code(
            uow=container.uow(),
            settings=container.settings,
            claims=claims,
            location_id=location_id,
            cmd=EnrolmentCodeCreate(),
        )
        return made, location

    made, location = await call(make)
    shown = await call(view.kiosks, container, claims)
    code = {"code": made.code, "location": location, "expires": made.expires_at}
    return console_page(
        request,
        "manage/setup/kiosks.html",
        claims,
        SECTION,
        201,
        code=code,
        code_fmt=Formats.of(location),
        **shown,
    )


@router.post(f"{KIOSKS}/{{raw_id}}/revoke")
async def revoke(request: Request, raw_id: str) -> Response:
    await checked_form(request)
    claims = await admin(request)
    device_id = parse_id(raw_id)
    container = services(request)

    def revoke_in_scope() -> None:
        device = devices.get_device(uow=container.read_uow(), claims=claims, device_id=device_id)
        location_in_scope(container, claims, device.location_id)
        devices.revoke_device(uow=container.uow(), claims=claims, device_id=device_id)

    await call(revoke_in_scope)
    return redirect(request, KIOSKS)
