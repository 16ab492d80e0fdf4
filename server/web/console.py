"""The console's sections and who may open each: the bar shows an account only the
sections its role opens, and every page of a section checks the same rule."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from server.api.threaded_route import run_in_worker_thread
from server.errors import NotFound
from server.ports.identity import AccessClaims
from server.web.pages import render
from server.web.sessions import STAFF, WebRefusal, services, signed_in
from shared.enums import StaffRole

_DESK = frozenset({StaffRole.OWNER, StaffRole.MANAGER, StaffRole.FRONT_DESK})
_ADMIN = frozenset({StaffRole.OWNER, StaffRole.MANAGER})
_DESK_STAFF = "owners, managers and front-desk staff"


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    href: str
    roles: frozenset[StaffRole]
    #: Said on the refusal page to an account whose role does not open the section.
    for_whom: str


SECTIONS = (
    Section("today", "Today", "/manage", _DESK, _DESK_STAFF),
    Section("schedule", "Schedule", "/manage/schedule", frozenset(StaffRole), "staff"),
    Section("members", "Members", "/manage/members", _DESK, _DESK_STAFF),
    Section("setup", "Set-up", "/manage/setup", _ADMIN, "owners and managers"),
    Section(
        "challenges",
        "Challenges",
        "/manage/challenges",
        frozenset({StaffRole.OWNER, StaffRole.MANAGER, StaffRole.COACH}),
        "owners, managers and coaches",
    ),
    Section(
        "coaching",
        "Coaching",
        "/manage/coaching",
        frozenset({StaffRole.OWNER, StaffRole.MANAGER, StaffRole.COACH}),
        "owners, managers and coaches",
    ),
    Section("reports", "Reports", "/manage/reports", _ADMIN, "owners and managers"),
    Section("corporate", "Corporate", "/manage/corporate", _ADMIN, "owners and managers"),
    Section("audit", "Audit", "/manage/audit", frozenset({StaffRole.OWNER}), "owners"),
)
_BY_KEY = {s.key: s for s in SECTIONS}


def sections_for(role: StaffRole | None) -> list[Section]:
    return [s for s in SECTIONS if role in s.roles]


#: Where an account lands after signing in when its role does not run the day: coaches
#: look after their members first.
_HOMES = {StaffRole.COACH: "coaching"}


def opens(role: StaffRole | None, section: str) -> bool:
    return role in _BY_KEY[section].roles


def home_of(role: StaffRole | None) -> str | None:
    """The address of the console's first page for ``role`` (None: no section opens)."""
    opened = sections_for(role)
    preferred = _HOMES.get(role) if role is not None else None
    for s in opened:
        if s.key == preferred:
            return s.href
    return opened[0].href if opened else None


def refuse_unless_allowed(claims: AccessClaims, section: str) -> None:
    chosen = _BY_KEY[section]
    if claims.role not in chosen.roles:
        raise WebRefusal(403, "Not for this account", f"{chosen.label} is for {chosen.for_whom}.")


async def staff_in(request: Request, section: str) -> AccessClaims:
    """The signed-in staff account, if its role opens this section (otherwise a 403 page;
    not signed in: the sign-in page). For staff limited to some locations, another
    location's resource named in the address is not found, as in the API."""
    claims = await signed_in(request, STAFF)
    refuse_unless_allowed(claims, section)
    if claims.location_ids is not None:
        await _within_locations(request, claims)
    return claims


def _as_id(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None  # not an id: the page's own reading answers


async def _within_locations(request: Request, claims: AccessClaims) -> None:
    for name in ("location", "location_id"):
        location_id = _as_id(request.query_params.get(name, ""))
        if location_id is not None and not claims.sees_location(location_id):
            raise WebRefusal(404, "Not found", "There is no such location here.")
    container = services(request)
    scope = container.location_scope
    ids = {
        name: found
        for name, value in request.path_params.items()
        if name in scope.parameters and (found := _as_id(value)) is not None
    }
    if not ids:
        return
    try:
        await run_in_worker_thread(scope.check, container.read_uow(), claims, ids)
    except NotFound as exc:
        raise WebRefusal(404, "Not found", str(exc)) from None


def console_page(
    request: Request,
    template: str,
    claims: AccessClaims,
    section: str,
    status: int = 200,
    /,
    **values: Any,
) -> HTMLResponse:
    """A console page with its bar: the sections this account opens, the current one marked."""
    return render(
        request,
        template,
        status,
        sections=sections_for(claims.role),
        current=section,
        **values,
    )
