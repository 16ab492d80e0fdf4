"""Movement events: facts recorded in the caller's transaction, published after it commits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from server.db.uow import UnitOfWork
from server.engagement.models import MovementEvent
from server.engagement.repository import MovementEventRepository
from server.ports.analytics import PublishedEvent
from shared.enums import MovementKind
from shared.ids import new_id


def record_movement(
    *,
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    kind: MovementKind,
    occurred_at: datetime,
    location_id: uuid.UUID | None = None,
    checkin_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
) -> PublishedEvent:
    """Add one movement event to the open unit of work; the caller commits, then publishes."""
    event = MovementEventRepository(uow.db, tenant_id).add(
        MovementEvent(
            id=new_id(),
            member_id=member_id,
            kind=kind.value,
            occurred_at=occurred_at,
            location_id=location_id,
            checkin_id=checkin_id,
            data=data or {},
        )
    )
    return movement_published(
        tenant_id=tenant_id,
        event_id=event.id,
        member_id=member_id,
        kind=kind,
        occurred_at=occurred_at,
        location_id=location_id,
        checkin_id=checkin_id,
        data=data,
    )


def movement_published(
    *,
    tenant_id: uuid.UUID,
    event_id: uuid.UUID,
    member_id: uuid.UUID,
    kind: MovementKind,
    occurred_at: datetime,
    location_id: uuid.UUID | None,
    checkin_id: uuid.UUID | None,
    data: dict[str, Any] | None,
) -> PublishedEvent:
    """What the analytics port is told of a stored movement event."""
    return PublishedEvent(
        tenant_id=tenant_id,
        name=f"movement.{kind.value}",
        occurred_at=occurred_at,
        data={
            "movement_event_id": str(event_id),
            "member_id": str(member_id),
            "location_id": str(location_id) if location_id else None,
            "checkin_id": str(checkin_id) if checkin_id else None,
            **(data or {}),
        },
    )
