"""Local accounts: argon2 password hashes and HS256-signed JWT access tokens."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta
from functools import lru_cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.ports.identity import AccessClaims, InvalidToken
from shared.clock import utcnow
from shared.enums import PrincipalKind, StaffRole

_ALGORITHM = "HS256"
_AUDIENCE = "zmos-api"
#: Tokens whose signature was checked, kept per process. A client sends the same token with
#: every request until it expires; PyJWT spends ~0.1 ms checking it (key screening, base64,
#: JSON), a third of a cheap request. The claims of a signed token never change, so a token
#: seen before needs only its expiry checked again.
_VERIFIED_TOKENS = 4096


class LocalIdentity:
    def __init__(self, secret_key: str, *, hasher: PasswordHasher | None = None) -> None:
        self._secret = secret_key
        self._hasher = hasher or PasswordHasher()
        self._verified = lru_cache(maxsize=_VERIFIED_TOKENS)(self._verify)

    def reads_in_memory(self, token: str) -> bool:
        return True  # a signature check, never a round trip

    def hash_password(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify_password(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def issue_access_token(self, claims: AccessClaims, ttl_seconds: int) -> tuple[str, datetime]:
        now = utcnow()
        expires = now + timedelta(seconds=ttl_seconds)
        payload: dict[str, object] = {
            "sub": str(claims.subject_id),
            "tid": str(claims.tenant_id),
            "knd": claims.kind.value,
            "aud": _AUDIENCE,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
        }
        if claims.role is not None:
            payload["rol"] = claims.role.value
        if claims.location_id is not None:
            payload["loc"] = str(claims.location_id)
        if claims.generation:
            payload["gen"] = claims.generation
        if claims.location_ids is not None:
            payload["lcs"] = sorted(str(i) for i in claims.location_ids)
        return jwt.encode(payload, self._secret, algorithm=_ALGORITHM), expires

    def read_access_token(self, token: str) -> AccessClaims:
        claims, expires_at = self._verified(token)
        if expires_at <= time.time():  # as PyJWT decides expiry (no leeway)
            raise InvalidToken("your session has expired; sign in again")
        return claims

    def _verify(self, token: str) -> tuple[AccessClaims, int]:
        """The token's claims and expiry, if signed by us; raises otherwise (not cached)."""
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                options={"require": ["exp", "sub", "tid", "knd"]},
            )
            claims = AccessClaims(
                kind=PrincipalKind(payload["knd"]),
                subject_id=uuid.UUID(payload["sub"]),
                tenant_id=uuid.UUID(payload["tid"]),
                role=StaffRole(payload["rol"]) if "rol" in payload else None,
                location_id=uuid.UUID(payload["loc"]) if "loc" in payload else None,
                generation=int(payload.get("gen", 0)),
                location_ids=(
                    frozenset(uuid.UUID(i) for i in payload["lcs"]) if "lcs" in payload else None
                ),
            )
            return claims, int(payload["exp"])
        except jwt.ExpiredSignatureError:
            raise InvalidToken("your session has expired; sign in again") from None
        except (jwt.InvalidTokenError, ValueError, KeyError, TypeError):
            raise InvalidToken("the access token is not valid") from None
