"""Who reads a corporate account's pages in the console: the provider's owners and managers
(the console's bar), or the company's own admins (their own cookies and a bar of their own).
The services decide which account each may see; this only finds out who is asking."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import HTMLResponse

from server.ports.identity import AccessClaims
from server.web.console import console_page, staff_in
from server.web.pages import render
from server.web.sessions import CORPORATE, signed_in
from shared.enums import PrincipalKind

SECTION = "corporate"


def is_admin(claims: AccessClaims) -> bool:
    return claims.kind is PrincipalKind.CORPORATE_ADMIN


async def corporate_viewer(request: Request) -> AccessClaims:
    """A company's admin (their cookies) or the provider's owners and managers."""
    if CORPORATE.access_cookie in request.cookies or CORPORATE.refresh_cookie in request.cookies:
        return await signed_in(request, CORPORATE)
    return await staff_in(request, SECTION)


def corporate_page(
    request: Request, template: str, claims: AccessClaims, status: int = 200, /, **values: Any
) -> HTMLResponse:
    if is_admin(claims):
        return render(request, template, status, sections=[], current=SECTION, admin=True, **values)
    return console_page(request, template, claims, SECTION, status, admin=False, **values)
