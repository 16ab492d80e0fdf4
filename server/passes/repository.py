"""Data access for pass keys and member passes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from server.db.bulk import among, chunks
from server.db.repository import TenantRepository
from server.passes.models import MemberPass, PassKey


class PassKeyRepository(TenantRepository[PassKey]):
    model = PassKey
    noun = "pass key"

    def current(self) -> PassKey | None:
        row: PassKey | None = self.db.execute(
            self._select()
            .where(PassKey.retired_at.is_(None))
            .order_by(PassKey.key_id.desc())
            .limit(1)
        ).scalar_one_or_none()
        return row

    def by_key_id(self, key_id: int) -> PassKey | None:
        row: PassKey | None = self.db.execute(
            self._select().where(PassKey.key_id == key_id)
        ).scalar_one_or_none()
        return row

    def next_key_id(self) -> int:
        highest = self.db.execute(
            select(func.max(PassKey.key_id)).where(PassKey.tenant_id == self.tenant_id)
        ).scalar_one()
        return int(highest or 0) + 1

    def all(self) -> Sequence[PassKey]:
        return self.db.execute(self._select().order_by(PassKey.key_id)).scalars().all()


class MemberPassRepository(TenantRepository[MemberPass]):
    model = MemberPass
    noun = "pass"

    def of_member(self, member_id: uuid.UUID) -> Sequence[MemberPass]:
        query = self._select().where(MemberPass.member_id == member_id)
        return self.db.execute(query.order_by(MemberPass.issued_at.desc())).scalars().all()

    def owners(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        """The member of each of ``ids`` that is a pass of this tenant (others are left out)."""
        found: dict[uuid.UUID, uuid.UUID] = {}
        for chunk in chunks(ids):
            query = select(MemberPass.id, MemberPass.member_id).where(
                MemberPass.tenant_id == self.tenant_id, among(self.db, MemberPass.id, chunk)
            )
            found.update({row.id: row.member_id for row in self.db.execute(query)})
        return found

    def revoked_ids(self, now: datetime) -> list[uuid.UUID]:
        """Revoked passes that have not expired yet: what a kiosk must refuse."""
        query = select(MemberPass.id).where(
            MemberPass.tenant_id == self.tenant_id,
            MemberPass.revoked_at.is_not(None),
            MemberPass.expires_at > now,
        )
        return list(self.db.execute(query).scalars())
