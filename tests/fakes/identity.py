"""An IdentityService without cryptography: readable hashes, tokens kept in a dict."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from server.ports.identity import AccessClaims, InvalidToken
from shared.clock import utcnow


@dataclass
class FakeIdentity:
    tokens: dict[str, AccessClaims] = field(default_factory=dict)

    def reads_in_memory(self, token: str) -> bool:
        return True

    def hash_password(self, password: str) -> str:
        return f"fake-hash:{password}"

    def verify_password(self, password_hash: str, password: str) -> bool:
        return password_hash == self.hash_password(password)

    def issue_access_token(self, claims: AccessClaims, ttl_seconds: int) -> tuple[str, datetime]:
        expires = utcnow() + timedelta(seconds=ttl_seconds)
        token = f"fake-token-{secrets.token_hex(8)}"
        self.tokens[token] = replace(claims, expires_at=expires)
        return token, expires

    def read_access_token(self, token: str) -> AccessClaims:
        claims = self.tokens.get(token)
        if claims is None:
            raise InvalidToken("the access token is not valid")
        if claims.expires_at is not None and claims.expires_at <= utcnow():
            raise InvalidToken("your session has expired; sign in again")
        return claims
