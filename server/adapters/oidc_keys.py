"""An OpenID Connect provider's metadata and signing keys, and checking the JWTs it signs.

The keys (JWKS) are kept for a while (``ttl``): a retired key stops being trusted once they
are read again. A token signed by a key not among them reads them at once, at most once per
``refetch_interval``, so that a key the provider has just rotated in works immediately
while a stream of forged key ids cannot make this server hammer the provider.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from server.ports.identity import InvalidToken

#: Asymmetric algorithms only: "none" and HS256 (a token "signed" with the public key as a
#: shared secret) are never accepted.
ALGORITHMS = ("RS256", "PS256", "ES256")


def peek(token: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The header and claims of a compact JWT, unverified; None when it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header, claims = (
            json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in parts[:2]
        )
    except ValueError:
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return header, claims


class ProviderKeys:
    """Discovery (``/.well-known/openid-configuration``) and the JWKS, read with ``http``."""

    def __init__(
        self,
        http: httpx.Client,
        issuer: str,
        *,
        ttl: float = 300.0,
        refetch_interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self._http, self._ttl, self._refetch = http, ttl, refetch_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._kids: frozenset[str] = frozenset()
        self._fetched_at = 0.0
        #: How many times the keys were read (what the rotation tests watch).
        self.fetches = 0

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None:
                url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
                found = self._get(url)
                if found.get("issuer") != self.issuer:
                    raise InvalidToken("the identity provider's metadata names another issuer")
                self._metadata = found
            return self._metadata

    def _get(self, url: str) -> dict[str, Any]:
        try:
            response = self._http.get(url)
            response.raise_for_status()
            found = response.json()
        except (httpx.HTTPError, ValueError):
            raise InvalidToken("the identity provider could not be reached; try again") from None
        if not isinstance(found, dict):
            raise InvalidToken("the identity provider answered with something unreadable")
        return found

    def key_set(self, kid: str | None) -> KeySet:
        """The provider's keys, read again when old or when ``kid`` is not among them."""
        uri = str(self.metadata().get("jwks_uri", ""))
        with self._lock:
            now = self._clock()
            age = now - self._fetched_at
            stale = self._keys is None or age >= self._ttl
            unknown = kid is not None and kid not in self._kids and age >= self._refetch
            if stale or unknown:
                self._read_keys(uri, now)
            if self._keys is None:
                raise InvalidToken("the identity provider's keys could not be read")
            return self._keys

    def _read_keys(self, uri: str, now: float) -> None:
        try:
            found = self._get(uri)
            keys = KeySet.import_key_set(found)  # type: ignore[arg-type]
        except (InvalidToken, JoseError, ValueError, TypeError):
            if self._keys is not None and now - self._fetched_at < self._ttl:
                return  # keep the keys still trusted; the provider may be back soon
            self._keys, self._kids = None, frozenset()
            raise InvalidToken("the identity provider's keys could not be read") from None
        self._keys = keys
        self._kids = frozenset(str(k.get("kid")) for k in found.get("keys", []) if k.get("kid"))
        self._fetched_at = now
        self.fetches += 1

    def decode(self, token: str, *, audience: str, leeway: int) -> dict[str, Any]:
        """The claims of ``token`` once its signature, issuer, audience and times hold;
        raises :class:`InvalidToken` saying what is wrong."""
        seen = peek(token)
        if seen is None:
            raise InvalidToken("the access token is not valid")
        header, claims = seen
        if header.get("alg") not in ALGORITHMS:
            raise InvalidToken(
                f"the identity provider's tokens must be signed with {', '.join(ALGORITHMS)}; "
                f"this one says {str(header.get('alg'))[:20]!r}"
            )
        if claims.get("iss") != self.issuer:
            raise InvalidToken("the token's issuer is not the identity provider this server trusts")
        kid = header.get("kid")
        keys = self.key_set(kid if isinstance(kid, str) else None)
        try:
            decoded = jwt.decode(token, keys, algorithms=list(ALGORITHMS))
        except (BadSignatureError, ValueError):
            raise InvalidToken(
                "the token's signature does not match the identity provider's keys"
            ) from None
        except JoseError:
            raise InvalidToken(
                "the token's signature does not match the identity provider's keys"
            ) from None
        _check_claims(decoded.claims, issuer=self.issuer, audience=audience, leeway=leeway)
        return decoded.claims


def _check_claims(claims: dict[str, Any], *, issuer: str, audience: str, leeway: int) -> None:
    registry = jwt.JWTClaimsRegistry(
        leeway=leeway,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": audience},
        exp={"essential": True},
        sub={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise InvalidToken("the identity provider's token has expired; sign in again") from None
    except (InvalidClaimError, MissingClaimError) as exc:
        name = getattr(exc, "claim", "") or ""
        if "aud" in str(exc) or name == "aud":
            raise InvalidToken("the token is not meant for this server (its audience)") from None
        raise InvalidToken(
            f"the identity provider's token is not valid ({exc.description})"
        ) from None
    except JoseError as exc:
        raise InvalidToken(
            f"the identity provider's token is not valid ({exc.description})"
        ) from None
