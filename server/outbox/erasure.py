"""A member's erasure takes their events out of the outbox: delivered or not, the payloads
name them (the events already delivered are the receivers' to erase)."""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.orm import Session

from server.outbox.models import OutboxDelivery, OutboxEvent


def forget_member(db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID) -> dict[str, str]:
    """Delete the member's outbox events and their deliveries, in the caller's transaction."""
    done = {}
    for model, column in (
        (OutboxDelivery, OutboxDelivery.subject),
        (OutboxEvent, OutboxEvent.subject),
    ):
        gone = db.execute(delete(model).where(model.tenant_id == tenant_id, column == member_id))
        done[str(model.__tablename__)] = f"deleted {cast(CursorResult[Any], gone).rowcount}"
    return done
