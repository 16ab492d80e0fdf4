"""Signing in to the console and the member app with Zimasa (ZHEP's OpenID Connect provider),
in integrated mode: ``/web/oidc/login?app=console|member&tenant=<slug>`` sends the browser
to the provider; ``/web/oidc/callback`` takes its answer and starts the same web sign-in as
a password would, for the staff account or member the person's party is linked to.

What the callback must match (state, nonce, PKCE verifier, app, gym) waits in a sealed
(AES-GCM), HttpOnly cookie of ten minutes, used once: the callback clears it, and a state
already answered in this process is refused even with a copy of the cookie.
"""

from __future__ import annotations

import base64
import hmac
import re
import threading
import time
from dataclasses import dataclass
from typing import Literal

from cryptography.exceptions import InvalidTag
from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError
from server.members import parties as member_parties
from server.ports.identity import (
    AuthorizationStart,
    ExternalIdentity,
    ProviderSignIn,
    SignInApp,
    SignInFailed,
)
from server.signins.deps import ClientAddress
from server.signins.schemas import TokenPair
from server.staff import parties as staff_parties
from server.web.pages import redirect
from server.web.sessions import MEMBERS, STAFF, WebRefusal, drop_cookie, services, start

router = APIRouter(include_in_schema=False)
PENDING_COOKIE = "zmos_oidc"
PENDING_PATH = "/web/oidc"
PENDING_SECONDS = 600
CALLBACK = "/web/oidc/callback"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_CONTEXT = "web-oidc-pending"
#: The member app remembers its gym in this cookie (as ``member_pages.TENANT_COOKIE``).
_MEMBER_TENANT_COOKIE = "zmos_tenant"


@dataclass(frozen=True)
class _Pending:
    app: SignInApp
    tenant: str
    started: AuthorizationStart
    until: float


class _Answered:
    """States this process has answered, kept until their cookie would have expired."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_time(self, state: str, until: float) -> bool:
        now = time.time()
        with self._lock:
            for old in [s for s, t in self._until.items() if t < now]:
                del self._until[old]
            if state in self._until:
                return False
            self._until[state] = until
            return True


_ANSWERED = _Answered()


def _sign_in(request: Request) -> ProviderSignIn:
    found = services(request).provider_sign_in
    if found is None:
        raise WebRefusal(404, "No such page", "Signing in with Zimasa is not set up here.")
    return found


def _redirect_uri(request: Request) -> str:
    public = services(request).settings.public_url
    return (public or str(request.base_url).rstrip("/")) + CALLBACK


def _seal(request: Request, pending: _Pending) -> str:
    value = {
        "a": pending.app,
        "t": pending.tenant,
        "s": pending.started.state,
        "n": pending.started.nonce,
        "v": pending.started.code_verifier,
        "u": pending.until,
    }
    sealed = services(request).sealer.seal_json(value, context=_CONTEXT)
    return base64.urlsafe_b64encode(sealed).decode()


def _opened(request: Request) -> _Pending | None:
    """The sign-in this browser started, if its cookie is ours, whole and not expired."""
    raw = request.cookies.get(PENDING_COOKIE, "")
    try:
        value = services(request).sealer.open_json(
            base64.urlsafe_b64decode(raw.encode()), context=_CONTEXT
        )
        app: Literal["console", "member"] = "console" if value["a"] == "console" else "member"
        started = AuthorizationStart(
            url="", state=value["s"], nonce=value["n"], code_verifier=value["v"]
        )
        pending = _Pending(app, str(value["t"]), started, float(value["u"]))
    except (InvalidTag, ValueError, KeyError, TypeError):
        return None
    return pending if pending.until > time.time() else None


@router.get("/web/oidc/login")
async def login(request: Request, app: str = "", tenant: str = "") -> Response:
    sign_in = _sign_in(request)
    slug = tenant.strip().lower()
    if app not in ("console", "member"):
        raise WebRefusal(422, "Which app?", "Choose the manager console or the member app.")
    if not _SLUG.match(slug):
        raise WebRefusal(
            422, "Which gym or studio?", "Enter your gym or studio's short name, then sign in."
        )
    chosen: SignInApp = "console" if app == "console" else "member"
    try:
        started = await run_in_worker_thread(
            lambda: sign_in.start(app=chosen, redirect_uri=_redirect_uri(request))
        )
    except SignInFailed as exc:
        raise WebRefusal(502, "Zimasa cannot be reached", str(exc)) from None
    pending = _Pending(chosen, slug, started, time.time() + PENDING_SECONDS)
    response = redirect(request, started.url)
    response.set_cookie(
        PENDING_COOKIE,
        _seal(request, pending),
        max_age=PENDING_SECONDS,
        path=PENDING_PATH,
        httponly=True,
        samesite="lax",  # sent on the provider's top-level redirect back here
        secure=request.url.scheme == "https",
    )
    return response


_EXPIRED = WebRefusal(
    400,
    "This sign-in has expired",
    "This sign-in answer is too old, was already used, or was started in another browser. "
    "Go back to the sign-in page and start again.",
)


@router.get(CALLBACK)
async def callback(
    request: Request,
    client: ClientAddress,
    code: str = "",
    state: str = "",
    error: str = "",
    error_description: str = "",
    iss: str = "",
) -> Response:
    sign_in = _sign_in(request)
    pending = _opened(request)
    drop_cookie(request, PENDING_COOKIE, PENDING_PATH)  # one answer per sign-in started
    if pending is None or not state or not hmac.compare_digest(state, pending.started.state):
        raise _EXPIRED
    if not _ANSWERED.first_time(state, pending.until):
        raise _EXPIRED
    if iss and iss != services(request).settings.oidc_issuer:  # RFC 9207: a mix-up
        raise WebRefusal(401, "Zimasa did not sign you in", "This answer came from elsewhere.")
    if error:
        said = (error_description or error)[:300]
        raise WebRefusal(401, "Zimasa did not sign you in", f"Zimasa said: {said}")
    try:
        person = await run_in_worker_thread(
            lambda: sign_in.finish(
                app=pending.app,
                redirect_uri=_redirect_uri(request),
                code=code[:2048],
                started=pending.started,
            )
        )
        pair = await run_in_worker_thread(_start_session, request, pending, person, client)
    except SignInFailed as exc:
        raise WebRefusal(401, "Zimasa did not sign you in", str(exc)) from None
    except DomainError as exc:
        raise WebRefusal(
            403,
            "No ZMOS account for this identity",
            f"Signed in to Zimasa, but {exc.detail} at {pending.tenant}. "
            "Ask the gym's staff to link your account, or sign in with your password.",
        ) from None
    door = STAFF if pending.app == "console" else MEMBERS
    start(request, door, pair)
    response = redirect(request, "/manage" if pending.app == "console" else "/app/pass")
    if pending.app == "member":
        response.set_cookie(
            _MEMBER_TENANT_COOKIE,
            pending.tenant,
            path="/app",
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


def _start_session(
    request: Request, pending: _Pending, person: ExternalIdentity, client: str
) -> TokenPair:
    container = services(request)
    if pending.app == "console":
        return staff_parties.sign_in_party(
            uow=container.uow(),
            identity=container.identity,
            settings=container.settings,
            tenant=pending.tenant,
            party_id=person.party_id,
            client=client,
        )
    return member_parties.sign_in_party(
        uow=container.uow(),
        identity=container.identity,
        settings=container.settings,
        tenant=pending.tenant,
        person=person,
    )
