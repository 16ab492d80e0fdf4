"""Data access for staff accounts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update

from server.db.bulk import among, chunks
from server.db.repository import TenantRepository
from server.staff import rules
from server.staff.models import StaffAccount, StaffPasswordToken
from server.tenants.models import Tenant
from shared.normalise import email_key


class StaffRepository(TenantRepository[StaffAccount]):
    model = StaffAccount
    noun = "staff member"

    def by_email(self, email: str) -> StaffAccount | None:
        row: StaffAccount | None = self.db.execute(
            self._select().where(StaffAccount.email == email_key(email))
        ).scalar_one_or_none()
        return row

    def by_party(self, party_id: str) -> StaffAccount | None:
        """The account linked to this ZHEP party, if any."""
        row: StaffAccount | None = self.db.execute(
            self._select().where(StaffAccount.party_id == party_id)
        ).scalar_one_or_none()
        return row

    def pin_hashes(self, *, other_than: uuid.UUID | None = None) -> list[tuple[str, str | None]]:
        """The PIN hashes and indexes of the tenant's staff (active or not: one may come
        back), taken under a lock on the tenant's row so two PIN changes at once are checked
        in turn."""
        self.db.execute(
            select(Tenant.id).where(Tenant.id == self.tenant_id).with_for_update()
        ).all()
        query = select(StaffAccount.pin_hash, StaffAccount.pin_index).where(
            StaffAccount.tenant_id == self.tenant_id, StaffAccount.pin_hash.is_not(None)
        )
        if other_than is not None:
            query = query.where(StaffAccount.id != other_than)
        return [(h, index) for h, index in self.db.execute(query) if h]

    def serving(self, ids: Sequence[uuid.UUID], location_id: uuid.UUID) -> frozenset[uuid.UUID]:
        """Which of ``ids`` are staff of this tenant who may work at ``location_id`` (all
        locations, or it as their home), active or not: a kiosk's offline record may name
        someone deactivated since."""
        found: set[uuid.UUID] = set()
        for chunk in chunks(ids):
            query = select(StaffAccount.id).where(
                StaffAccount.tenant_id == self.tenant_id,
                among(self.db, StaffAccount.id, chunk),
                StaffAccount.home_location_id.is_(None)
                | (StaffAccount.home_location_id == location_id),
            )
            found.update(self.db.execute(query).scalars())
        return frozenset(found)

    def add_password_token(self, row: StaffPasswordToken) -> StaffPasswordToken:
        row.tenant_id = self.tenant_id
        self.db.add(row)
        return row

    def password_tokens_since(self, staff_id: uuid.UUID, since: datetime) -> int:
        count: int = self.db.execute(
            select(func.count())
            .select_from(StaffPasswordToken)
            .where(
                StaffPasswordToken.tenant_id == self.tenant_id,
                StaffPasswordToken.staff_id == staff_id,
                StaffPasswordToken.created_at >= since,
            )
        ).scalar_one()
        return count

    def password_token(self, token_id: uuid.UUID) -> StaffPasswordToken | None:
        row: StaffPasswordToken | None = self.db.execute(
            select(StaffPasswordToken)
            .where(
                StaffPasswordToken.tenant_id == self.tenant_id, StaffPasswordToken.id == token_id
            )
            .with_for_update()
        ).scalar_one_or_none()
        return row

    def use_password_tokens(self, staff_id: uuid.UUID, now: datetime) -> None:
        """Every open link of the account stops working (one was used, or a password set)."""
        self.db.execute(
            update(StaffPasswordToken)
            .where(
                StaffPasswordToken.tenant_id == self.tenant_id,
                StaffPasswordToken.staff_id == staff_id,
                StaffPasswordToken.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )


def active_staff_for_location(repo: StaffRepository, location_id: uuid.UUID) -> list[StaffAccount]:
    """The active staff whose PINs work at the location's kiosks (:func:`rules.works_at`)."""
    query = repo._select().where(StaffAccount.active.is_(True))
    return [
        row
        for row in repo.db.execute(query.order_by(StaffAccount.name)).scalars()
        if rules.works_at(row.home_location_id, row.location_scope, location_id)
    ]


__all__ = ["StaffRepository", "active_staff_for_location", "select"]
