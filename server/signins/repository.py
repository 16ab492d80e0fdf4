"""Data access for refresh tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update

from server.db.repository import TenantRepository
from server.signins.models import RefreshToken


class RefreshTokenRepository(TenantRepository[RefreshToken]):
    model = RefreshToken
    noun = "refresh token"

    def revoke_all_of(self, subject_id: uuid.UUID, now: datetime) -> None:
        """End every sign-in of the account."""
        self.db.execute(
            update(RefreshToken)
            .where(
                RefreshToken.tenant_id == self.tenant_id,
                RefreshToken.subject_id == subject_id,
                RefreshToken.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )

    def revoke_if_live(
        self, token_id: uuid.UUID, now: datetime, *, replaced_by: uuid.UUID | None = None
    ) -> bool:
        """Revoke the token unless another request already did; True when this one did.
        ``replaced_by``: the token it is rotated into."""
        result = self.db.execute(
            update(RefreshToken)
            .where(
                RefreshToken.tenant_id == self.tenant_id,
                RefreshToken.id == token_id,
                RefreshToken.revoked_at.is_(None),
            )
            .values(revoked_at=now, replaced_by=replaced_by)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
