"""Cookie sign-ins of the web pages and their CSRF tokens.

A web sign-in is the API's own: the sign-in services issue the same access and refresh
tokens (with the same lock-out), kept here in HttpOnly cookies instead of a script's memory.
An expired access token is exchanged for a new pair with the refresh cookie (two requests
that do so at once both get one: see ``COOKIE_REUSE_GRACE``), and a sign-out
ends every sign-in of the account, as ``/auth/logout`` does. Members' cookies are sent to
``/app`` only and staff's to ``/manage`` only, so one browser can hold both and neither
leaks into the other app.

CSRF: a random cookie and, in every form, an HMAC of it under the server's key (a signed
double submit). A page from another site can make the browser send the cookie but cannot
read it, so it cannot compute the form's token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from server.api.deps import Services, actor_of
from server.api.threaded_route import run_in_worker_thread
from server.corporate import admins as corporate_admins
from server.db.actor import set_actor
from server.db.uow import UnitOfWork
from server.errors import DomainError
from server.members import tokens as member_tokens
from server.ports.identity import AccessClaims, AccessGrants, InvalidToken
from server.signins.schemas import TokenPair
from server.signins.service import COOKIE_REUSE_GRACE
from server.staff import service as staff_service
from shared.enums import PrincipalKind

CSRF_COOKIE = "zmos_csrf"
CSRF_FIELD = "csrf"
#: A sign-in form or a set-up form; anything bigger is not one of these pages' forms.
MAX_FORM_BYTES = 16 * 1024
#: Fields a form may send: a plan's tick box per location makes a large provider's forms
#: long; the byte limit bounds the work either way.
MAX_FORM_FIELDS = 600


class WebRefusal(Exception):
    """A page request that gets an HTML error page instead of the page."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


class SignInFirst(Exception):
    """No live sign-in of the kind the page needs: the browser is sent to sign in."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


@dataclass(frozen=True)
class Door:
    """How one kind of account signs in to the web pages."""

    kind: PrincipalKind
    #: Cookie names (access token, refresh token) and the path they are sent to.
    access_cookie: str
    refresh_cookie: str
    path: str
    signin_url: str
    refresh: Callable[..., TokenPair]
    logout: Callable[..., None]


MEMBERS = Door(
    kind=PrincipalKind.MEMBER,
    access_cookie="zmos_member",
    refresh_cookie="zmos_member_refresh",
    path="/app",
    signin_url="/app/signin",
    refresh=member_tokens.refresh,
    logout=member_tokens.logout,
)
STAFF = Door(
    kind=PrincipalKind.STAFF,
    access_cookie="zmos_staff",
    refresh_cookie="zmos_staff_refresh",
    path="/manage",
    signin_url="/manage/signin",
    refresh=staff_service.refresh,
    logout=staff_service.logout,
)
#: A company's admins sign in on the console's page; their own cookies (sent to the console
#: too) hold a token that opens the corporate pages of their account and nothing else.
CORPORATE = Door(
    kind=PrincipalKind.CORPORATE_ADMIN,
    access_cookie="zmos_corporate",
    refresh_cookie="zmos_corporate_refresh",
    path="/manage",
    signin_url="/manage/signin",
    refresh=corporate_admins.refresh,
    logout=corporate_admins.logout,
)


def services(request: Request) -> Services:
    container: Services = request.app.state.container
    return container


def zimasa(request: Request) -> dict[str, bool]:
    """What a sign-in page needs to offer signing in with Zimasa (ZHEP), when set up."""
    return {"zimasa": services(request).provider_sign_in is not None}


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _pending(request: Request) -> list[dict[str, Any]]:
    """Cookies to set on this request's response (``set_cookie`` keyword arguments)."""
    if not hasattr(request.state, "web_cookies"):
        request.state.web_cookies = []
    cookies: list[dict[str, Any]] = request.state.web_cookies
    return cookies


def _cookie(request: Request, key: str, value: str, path: str, max_age: int | None) -> None:
    _pending(request).append(
        {
            "key": key,
            "value": value,
            "path": path,
            "max_age": max_age,
            "httponly": True,
            "samesite": "lax",
            "secure": _secure(request),
        }
    )


def drop_cookie(request: Request, key: str, path: str) -> None:
    """Clear a cookie with this request's response (whichever page it is)."""
    _cookie(request, key, "", path, 0)


def apply_cookies(request: Request, response: Response) -> Response:
    for cookie in _pending(request):
        response.set_cookie(**cookie)
    return response


# --- CSRF ----------------------------------------------------------------------------------


def _expected(request: Request, value: str) -> str:
    key = services(request).settings.resolved_secret_key.encode()
    return hmac.new(key, f"csrf:{value}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token this browser's forms carry; the cookie it comes from is set when new."""
    value = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_value", None)
    if not value:
        value = secrets.token_urlsafe(32)
        request.state.csrf_value = value
        _cookie(request, CSRF_COOKIE, value, "/", None)
    return _expected(request, value)


async def checked_form(request: Request) -> dict[str, str]:
    """The posted form's fields, once its CSRF token matches this browser's cookie."""
    refused = WebRefusal(
        403,
        "This form has expired",
        "The form was not sent from this site's page, or it is too old. "
        "Go back, reload the page and send it again.",
    )
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise WebRefusal(413, "Too much data", "This form sent more than it can hold.")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise refused
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise refused from None
    try:
        fields = dict(parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS))
    except ValueError:
        too_many = "This form sent more fields than it can hold."
        raise WebRefusal(413, "Too much data", too_many) from None
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = fields.pop(CSRF_FIELD, "")
    if not cookie or not hmac.compare_digest(sent, _expected(request, cookie)):
        raise refused
    return fields


# --- sign-ins ------------------------------------------------------------------------------


def start(request: Request, door: Door, pair: TokenPair) -> None:
    """Keep a new sign-in's tokens in the door's cookies."""
    ttl = services(request).settings.refresh_token_ttl_seconds
    _cookie(request, door.access_cookie, pair.access_token, door.path, ttl)
    _cookie(request, door.refresh_cookie, pair.refresh_token, door.path, ttl)


def forget(request: Request, door: Door) -> None:
    """Clear the door's cookies that this request carried. One it did not carry is left
    alone: a request made without a sign-in (the member app's service worker saving the
    pass as it starts) can be answered after a sign-in in the same browser, and clearing
    then would erase the cookies that sign-in just set."""
    for name in (door.access_cookie, door.refresh_cookie):
        if name in request.cookies:
            _cookie(request, name, "", door.path, 0)


def _renew(request: Request, door: Door) -> AccessClaims | None:
    """A new pair from the refresh cookie (worker thread), or None when it has ended."""
    refresh_token = request.cookies.get(door.refresh_cookie)
    if not refresh_token:
        return None
    container = services(request)
    try:
        pair = door.refresh(
            uow=container.uow(),
            identity=container.identity,
            settings=container.settings,
            refresh_token=refresh_token,
            reuse_grace=COOKIE_REUSE_GRACE,
        )
    except DomainError:
        return None
    start(request, door, pair)
    return container.identity.read_access_token(pair.access_token)


async def signed_in(request: Request, door: Door) -> AccessClaims:
    """The claims of the door's live sign-in; raises ``SignInFirst`` without one and a 403
    page when the cookie holds another kind of account's token."""
    container = services(request)
    token = request.cookies.get(door.access_cookie)
    claims: AccessClaims | None = None
    # The cookie holds ZMOS's own token: one that needs a round trip to read is not ours.
    if token and container.identity.reads_in_memory(token):
        try:
            claims = container.identity.read_access_token(token)
        except InvalidToken:
            claims = None
    if claims is None:
        claims = await run_in_worker_thread(_renew, request, door)
    if claims is None:
        forget(request, door)
        raise SignInFirst(door.signin_url)
    if claims.kind is not door.kind:
        raise WebRefusal(
            403,
            "Not for this account",
            "These pages are for staff accounts."
            if door.kind is PrincipalKind.STAFF
            else "These pages are for members.",
        )
    if not await _still_granted(container.grants, claims):
        forget(request, door)
        raise SignInFirst(door.signin_url)
    set_actor(actor_of(claims, request))
    return claims


async def _still_granted(grants: AccessGrants, claims: AccessClaims) -> bool:
    verdict = grants.verdict(claims)
    if verdict is None:
        verdict = await run_in_worker_thread(grants.load, claims)
    return verdict


def end(request: Request, door: Door, claims: AccessClaims) -> None:
    """Sign out everywhere (worker thread): every token of the account stops working."""
    container = services(request)
    uow: UnitOfWork = container.uow()
    door.logout(uow=uow, grants=container.grants, claims=claims)
    forget(request, door)
