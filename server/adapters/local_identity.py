"""Local accounts: argon2 password hashes and HS256-signed JWT access tokens."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.ports.identity import AccessClaims, InvalidToken
from shared.clock import utcnow
from shared.enums import PrincipalKind, StaffRole

_ALGORITHM = "HS256"
_AUDIENCE = "zmos-api"


class LocalIdentity:
    def __init__(self, secret_key: str, *, hasher: PasswordHasher | None = None) -> None:
        self._secret = secret_key
        self._hasher = hasher or PasswordHasher()

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
        return jwt.encode(payload, self._secret, algorithm=_ALGORITHM), expires

    def read_access_token(self, token: str) -> AccessClaims:
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                options={"require": ["exp", "sub", "tid", "knd"]},
            )
            return AccessClaims(
                kind=PrincipalKind(payload["knd"]),
                subject_id=uuid.UUID(payload["sub"]),
                tenant_id=uuid.UUID(payload["tid"]),
                role=StaffRole(payload["rol"]) if "rol" in payload else None,
                location_id=uuid.UUID(payload["loc"]) if "loc" in payload else None,
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("your session has expired; sign in again") from None
        except (jwt.InvalidTokenError, ValueError, KeyError):
            raise InvalidToken("the access token is not valid") from None
