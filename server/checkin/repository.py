"""Data access for check-ins."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select

from server.checkin.models import Checkin
from server.db.repository import TenantRepository, within
from shared.clock import ensure_utc
from shared.door_rules import Admission


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
        location_ids: Collection[uuid.UUID] | None = None,
    ) -> Sequence[Checkin]:
        query = self._select().where(*within(Checkin.location_id, location_ids))
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

    def latest_visit(
        self, member_id: uuid.UUID, location_id: uuid.UUID, after: datetime, until: datetime
    ) -> Admission | None:
        """The member's last admission at the location that was a visit (not a re-entry),
        with ``after < occurred_at <= until``."""
        query = (
            select(Checkin.id, Checkin.occurred_at)
            .where(
                Checkin.tenant_id == self.tenant_id,
                Checkin.member_id == member_id,
                Checkin.location_id == location_id,
                Checkin.admitted.is_(True),
                Checkin.repeat_of.is_(None),
                Checkin.occurred_at > after,
                Checkin.occurred_at <= until,
            )
            .order_by(Checkin.occurred_at.desc())
            .limit(1)
        )
        row = self.db.execute(query).first()
        return None if row is None else Admission(row[0], ensure_utc(row[1]))
