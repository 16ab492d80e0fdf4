"""Movement events: one fact per attendance, floor check-in, outdoor event or Movement Tile."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, UtcDateTime


class MovementEvent(TenantScoped, Base):
    __tablename__ = "movement_events"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index("ix_movement_events_tenant_member_time", "tenant_id", "member_id", "occurred_at"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: attendance, floor_checkin, outdoor, tile (shared.enums.MovementKind)
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    location_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    checkin_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
