"""Data access for check-ins."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from server.checkin.models import Checkin
from server.db.repository import TenantRepository


class CheckinRepository(TenantRepository[Checkin]):
    model = Checkin
    noun = "check-in"

    def search(
        self,
        *,
        location_id: uuid.UUID | None,
        member_id: uuid.UUID | None,
        since: datetime | None,
        limit: int,
        offset: int,
    ) -> Sequence[Checkin]:
        query = self._select()
        if location_id is not None:
            query = query.where(Checkin.location_id == location_id)
        if member_id is not None:
            query = query.where(Checkin.member_id == member_id)
        if since is not None:
            query = query.where(Checkin.occurred_at >= since)
        query = query.order_by(Checkin.occurred_at.desc(), Checkin.id.desc())
        rows: Sequence[Checkin] = self.db.execute(query.limit(limit).offset(offset)).scalars().all()
        return rows

    def admissions(
        self, membership_ids: Sequence[uuid.UUID], start: datetime, end: datetime
    ) -> dict[uuid.UUID, int]:
        """Admitted check-ins per membership with ``start <= occurred_at < end``."""
        if not membership_ids:
            return {}
        query = (
            select(Checkin.membership_id, func.count())
            .where(
                Checkin.tenant_id == self.tenant_id,
                Checkin.membership_id.in_(membership_ids),
                Checkin.admitted.is_(True),
                Checkin.occurred_at >= start,
                Checkin.occurred_at < end,
            )
            .group_by(Checkin.membership_id)
        )
        return {
            membership_id: count
            for membership_id, count in self.db.execute(query)
            if membership_id is not None
        }
