"""Data access for staff accounts."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from server.db.repository import TenantRepository
from server.staff.models import StaffAccount
from shared.normalise import email_key


class StaffRepository(TenantRepository[StaffAccount]):
    model = StaffAccount
    noun = "staff member"

    def by_email(self, email: str) -> StaffAccount | None:
        row: StaffAccount | None = self.db.execute(
            self._select().where(StaffAccount.email == email_key(email))
        ).scalar_one_or_none()
        return row


def active_staff_for_location(repo: StaffRepository, location_id: uuid.UUID) -> list[StaffAccount]:
    query = repo._select().where(
        StaffAccount.active.is_(True),
        (StaffAccount.home_location_id.is_(None)) | (StaffAccount.home_location_id == location_id),
    )
    return list(repo.db.execute(query.order_by(StaffAccount.name)).scalars())


__all__ = ["StaffRepository", "active_staff_for_location", "select"]
