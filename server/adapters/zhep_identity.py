"""Integrated identity: ZHEP's OpenID Connect provider.

``ZhepIdentity`` is the IdentityService of integrated mode. Passwords, and the tokens ZMOS
issues itself (web sign-ins, kiosks' device tokens, the API's own sign-ins), stay with the
local identity; a bearer token that ZHEP's provider signed (a JWT access token for this
API's audience) is checked against the provider's keys and read as the ZMOS account its
party is linked to.

``ZhepSignIn`` signs people in to the console and the member app with the provider:
authorization code with PKCE (S256), a state and a nonce, the ID token checked.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from server.adapters.local_identity import LocalIdentity
from server.adapters.oidc_keys import ProviderKeys, peek
from server.ports.identity import (
    AccessClaims,
    AuthorizationStart,
    ExternalIdentity,
    InvalidToken,
    PartyAccounts,
    SignInApp,
    SignInFailed,
)
from shared.enums import PrincipalKind

#: The header of every token ZMOS signs itself (PyJWT, HS256): such a token goes straight
#: to the local identity without being read twice.
_LOCAL_HEADER = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
#: ZHEP tokens read lately (token -> claims, expiry, when read), kept per process.
_REMEMBERED = 4096
#: The claim of ZHEP's access tokens that names the ZMOS tenant (by its slug).
TENANT_CLAIM = "zmos_tenant"


@dataclass(frozen=True)
class _Read:
    claims: AccessClaims
    expires: float
    read_at: float


class ZhepIdentity:
    def __init__(
        self,
        local: LocalIdentity,
        keys: ProviderKeys,
        accounts: PartyAccounts,
        *,
        audience: str,
        staff_client_id: str,
        leeway: int = 30,
        remember_seconds: float = 1.0,
    ) -> None:
        self._local, self._keys, self._accounts = local, keys, accounts
        #: Tokens the console's client obtained act for staff; any other client's, for members.
        self._staff_client = staff_client_id
        self._audience, self._leeway = audience, leeway
        #: How long a party's account, once read, answers for its tokens: as long as the
        #: grants trust an account's generation (a role change shows within this time).
        self._remember = remember_seconds
        self._read: OrderedDict[str, _Read] = OrderedDict()
        self._lock = threading.Lock()

    def hash_password(self, password: str) -> str:
        return self._local.hash_password(password)

    def verify_password(self, password_hash: str, password: str) -> bool:
        return self._local.verify_password(password_hash, password)

    def issue_access_token(self, claims: AccessClaims, ttl_seconds: int) -> tuple[str, datetime]:
        return self._local.issue_access_token(claims, ttl_seconds)

    def reads_in_memory(self, token: str) -> bool:
        if token.startswith(_LOCAL_HEADER) or self._remembered(token) is not None:
            return True
        return not _from_provider(token)

    def read_access_token(self, token: str) -> AccessClaims:
        if token.startswith(_LOCAL_HEADER):
            return self._local.read_access_token(token)
        known = self._remembered(token)
        if known is not None:
            return known.claims
        if not _from_provider(token):
            return self._local.read_access_token(token)
        payload = self._keys.decode(token, audience=self._audience, leeway=self._leeway)
        tenant = payload.get(TENANT_CLAIM)
        if not isinstance(tenant, str) or not tenant:
            raise InvalidToken(f"ZHEP's token does not name a ZMOS tenant (claim {TENANT_CLAIM})")
        staff = payload.get("client_id") == self._staff_client
        kind = PrincipalKind.STAFF if staff else PrincipalKind.MEMBER
        claims = self._accounts(tenant, str(payload["sub"]), kind)
        if claims is None:
            raise InvalidToken("no ZMOS account is linked to this ZHEP identity")
        with self._lock:
            self._read[token] = _Read(claims, float(payload["exp"]), time.monotonic())
            while len(self._read) > _REMEMBERED:
                self._read.popitem(last=False)
        return claims

    def _remembered(self, token: str) -> _Read | None:
        with self._lock:
            known = self._read.get(token)
        if known is None:
            return None
        if known.expires + self._leeway <= time.time():
            return None  # read again: it says it has expired
        if time.monotonic() - known.read_at >= self._remember:
            return None
        return known


def _from_provider(token: str) -> bool:
    """A token that names an issuer: ZMOS's own never do."""
    seen = peek(token)
    return seen is not None and "iss" in seen[1]


@dataclass(frozen=True)
class SignInClient:
    client_id: str
    client_secret: str | None = None


class ZhepSignIn:
    """Authorization code + PKCE with the provider, for the console and the member app."""

    def __init__(
        self,
        http: httpx.Client,
        keys: ProviderKeys,
        clients: dict[SignInApp, SignInClient],
        *,
        audience: str,
        leeway: int = 30,
    ) -> None:
        self._http, self._keys, self._clients = http, keys, clients
        self._audience, self._leeway = audience, leeway

    def start(self, *, app: SignInApp, redirect_uri: str) -> AuthorizationStart:
        try:
            endpoint = str(self._keys.metadata()["authorization_endpoint"])
        except (InvalidToken, KeyError) as exc:
            raise SignInFailed("Zimasa's sign-in cannot be reached just now; try again") from exc
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        url = prepare_grant_uri(
            endpoint,
            self._clients[app].client_id,
            "code",
            redirect_uri=redirect_uri,
            scope="openid email",
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier),
            code_challenge_method="S256",
            resource=self._audience,
        )
        return AuthorizationStart(url=url, state=state, nonce=nonce, code_verifier=verifier)

    def finish(
        self, *, app: SignInApp, redirect_uri: str, code: str, started: AuthorizationStart
    ) -> ExternalIdentity:
        client = self._clients[app]
        tokens = self._exchange(client, redirect_uri, code, started.code_verifier)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise SignInFailed("Zimasa did not say who signed in (no ID token)")
        try:
            claims = self._keys.decode(id_token, audience=client.client_id, leeway=self._leeway)
        except InvalidToken as exc:
            raise SignInFailed(f"Zimasa's answer could not be trusted: {exc}") from None
        if claims.get("nonce") != started.nonce:
            raise SignInFailed("this sign-in answer belongs to another sign-in; start again")
        azp = claims.get("azp")
        if azp is not None and azp != client.client_id:
            raise SignInFailed("Zimasa's answer was meant for another application")
        email = claims.get("email")
        return ExternalIdentity(
            party_id=str(claims["sub"]),
            email=email if isinstance(email, str) else None,
            email_verified=claims.get("email_verified") is True,
        )

    def _exchange(
        self, client: SignInClient, redirect_uri: str, code: str, verifier: str
    ) -> dict[str, Any]:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
            "resource": self._audience,
        }
        # client_secret_basic for a confidential client, the client id alone for a public one.
        auth: dict[str, Any] = {}
        if client.client_secret:
            auth["auth"] = httpx.BasicAuth(client.client_id, client.client_secret)
        else:
            form["client_id"] = client.client_id
        try:
            endpoint = str(self._keys.metadata()["token_endpoint"])
            response = self._http.post(endpoint, data=form, **auth)
            found = response.json()
        except (InvalidToken, KeyError, httpx.HTTPError, ValueError) as exc:
            raise SignInFailed("Zimasa's sign-in cannot be reached just now; try again") from exc
        if response.status_code != 200 or not isinstance(found, dict):
            said = found.get("error_description") if isinstance(found, dict) else None
            raise SignInFailed(
                f"Zimasa refused the sign-in: {str(said or 'no reason given')[:200]}"
            )
        return found
