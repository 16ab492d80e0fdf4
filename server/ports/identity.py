"""IdentityService: who a caller is. Standalone: local accounts; integrated: ZHEP Party/Identity."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

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


class IdentityService(Protocol):
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
