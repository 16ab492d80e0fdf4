"""Data access for movement events."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from server.db.repository import TenantRepository
from server.engagement.models import MovementEvent


class MovementEventRepository(TenantRepository[MovementEvent]):
    model = MovementEvent
    noun = "movement event"

    def of_member(self, member_id: uuid.UUID, *, limit: int = 100) -> Sequence[MovementEvent]:
        query = (
            self._select()
            .where(MovementEvent.member_id == member_id)
            .order_by(MovementEvent.occurred_at, MovementEvent.id)
            .limit(limit)
        )
        rows: Sequence[MovementEvent] = self.db.execute(query).scalars().all()
        return rows
