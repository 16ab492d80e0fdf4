"""Data access for staff accounts, refresh tokens and the login throttle."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update

from server.db.repository import TenantRepository
from server.staff.models import RefreshToken, StaffAccount


class StaffRepository(TenantRepository[StaffAccount]):
    model = StaffAccount
    noun = "staff member"

    def by_email(self, email: str) -> StaffAccount | None:
        row: StaffAccount | None = self.db.execute(
            self._select().where(StaffAccount.email == email.lower())
        ).scalar_one_or_none()
        return row


class RefreshTokenRepository(TenantRepository[RefreshToken]):
    model = RefreshToken
    noun = "refresh token"

    def revoke_all_of(self, subject_id: uuid.UUID, now: datetime) -> None:
        self.db.execute(
            update(RefreshToken)
            .where(
                RefreshToken.tenant_id == self.tenant_id,
                RefreshToken.subject_id == subject_id,
                RefreshToken.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )

    def revoke_if_live(self, token_id: uuid.UUID, now: datetime) -> bool:
        """Revoke the token unless another request already did; True when this one did."""
        result = self.db.execute(
            update(RefreshToken)
            .where(
                RefreshToken.tenant_id == self.tenant_id,
                RefreshToken.id == token_id,
                RefreshToken.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def active_staff_for_location(repo: StaffRepository, location_id: uuid.UUID) -> list[StaffAccount]:
    query = repo._select().where(
        StaffAccount.active.is_(True),
        (StaffAccount.home_location_id.is_(None)) | (StaffAccount.home_location_id == location_id),
    )
    return list(repo.db.execute(query.order_by(StaffAccount.name)).scalars())


__all__ = ["RefreshTokenRepository", "StaffRepository", "active_staff_for_location", "select"]
