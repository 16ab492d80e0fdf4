"""IdentityService: who a caller is. Standalone: local accounts; integrated: ZHEP Party/Identity."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from shared.enums import PrincipalKind, StaffRole


class InvalidToken(Exception):
    """An access token that is malformed, forged or expired."""


@dataclass(frozen=True)
class AccessClaims:
    kind: PrincipalKind
    subject_id: uuid.UUID
    tenant_id: uuid.UUID
    role: StaffRole | None = None
    location_id: uuid.UUID | None = None
    expires_at: datetime | None = None
    #: The account's token generation when the token was issued: a change of role,
    #: location, activation or a sign-out moves it on, and older tokens stop working.
    generation: int = 0
    #: Staff whose role is limited to some locations: those; None: the whole tenant.
    location_ids: frozenset[uuid.UUID] | None = None

    def sees_location(self, location_id: uuid.UUID) -> bool:
        """Whether this caller may read or change what belongs to ``location_id``."""
        return self.location_ids is None or location_id in self.location_ids


class IdentityService(Protocol):
    def reads_in_memory(self, token: str) -> bool:
        """True when :meth:`read_access_token` answers ``token`` without a network or
        database round trip (then the event loop may call it); False: call it in a worker
        thread (an identity provider's token not seen lately)."""
        ...

    def hash_password(self, password: str) -> str: ...

    def verify_password(self, password_hash: str, password: str) -> bool:
        """True when ``password`` matches; never raises for a wrong password."""
        ...

    def issue_access_token(self, claims: AccessClaims, ttl_seconds: int) -> tuple[str, datetime]:
        """A signed, short-lived access token and its expiry."""
        ...

    def read_access_token(self, token: str) -> AccessClaims:
        """The claims of a valid token; raises :class:`InvalidToken` otherwise."""
        ...


class AccessGrants(Protocol):
    """Whether the account behind a signed token still stands as the token says: same token
    generation, still active, not archived. Kept per process for a short time, so a check
    costs a dictionary look-up on nearly every request."""

    def verdict(self, claims: AccessClaims) -> bool | None:
        """True or False from what this process remembers; None when it must :meth:`load`."""
        ...

    def load(self, claims: AccessClaims) -> bool:
        """Read the account's generation (a database round trip) and remember it."""
        ...

    def forget(self, kind: PrincipalKind, tenant_id: uuid.UUID, subject_id: uuid.UUID) -> None:
        """Drop what this process remembers of an account it has just changed."""
        ...


#: Which web app a person signs in to with the identity provider.
SignInApp = Literal["console", "member"]


class SignInFailed(Exception):
    """The identity provider's sign-in did not complete: refused, forged, replayed, or the
    provider could not be reached. The message says which, for the person."""


@dataclass(frozen=True)
class ExternalIdentity:
    """Who the identity provider says has signed in (from its validated ID token)."""

    #: The party (ZHEP's person) id: the token's subject.
    party_id: str
    email: str | None = None
    email_verified: bool = False


@dataclass(frozen=True)
class AuthorizationStart:
    """Where to send the browser, and what the callback must match (kept by the browser in
    a signed cookie): the state, the ID token's nonce and the PKCE code verifier."""

    url: str
    state: str
    nonce: str
    code_verifier: str


class ProviderSignIn(Protocol):
    """Signing in with an OpenID Connect provider: authorization code with PKCE (S256)."""

    def start(self, *, app: SignInApp, redirect_uri: str) -> AuthorizationStart: ...

    def finish(
        self, *, app: SignInApp, redirect_uri: str, code: str, started: AuthorizationStart
    ) -> ExternalIdentity:
        """Exchanges ``code`` and validates the ID token (signature, issuer, audience,
        expiry, nonce); raises :class:`SignInFailed`."""
        ...


class PartyAccounts(Protocol):
    """The claims of the ZMOS account of ``kind`` linked to a party in a tenant (named by
    its slug); None when there is none (or it is deactivated)."""

    def __call__(self, tenant: str, party_id: str, kind: PrincipalKind) -> AccessClaims | None: ...
