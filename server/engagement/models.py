"""Movement events: one fact per attendance, floor check-in, outdoor event, Movement Tile,
staff entry or self-report. A fact is never edited: a correction or a void is a new event
naming the one it replaces (``voids``), and the old one only learns who replaced it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, Timestamps, UtcDateTime
from shared.clock import utcnow


class MovementEvent(TenantScoped, Base):
    __tablename__ = "movement_events"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index("ix_movement_events_tenant_member_time", "tenant_id", "member_id", "occurred_at"),
        Index("ix_movement_events_tenant_member_date", "tenant_id", "member_id", "local_date"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: shared.enums.MovementKind
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    location_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    checkin_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    minutes: Mapped[int] = mapped_column(Integer, server_default="0")
    #: shared.movement.MovementIntensity
    intensity: Mapped[str] = mapped_column(String(10), server_default="moderate")
    #: shared.movement.Provenance
    provenance: Mapped[str] = mapped_column(String(20), server_default="scanner_verified")
    #: shared.movement.MovementSource
    source: Mapped[str] = mapped_column(String(20), server_default="kiosk")
    local_date: Mapped[date] = mapped_column(Date, server_default="1970-01-01")
    zone: Mapped[str] = mapped_column(String(64), server_default="UTC")
    session_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    voids: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    voided_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: A void carries no movement: it only cancels ``voids``.
    is_void: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    reason: Mapped[str | None] = mapped_column(String(500))
    #: The member of staff (or member, for a self-report) who entered it; None: a door.
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: When the ledger stored it; decides a challenge's late uploads. None: stored before
    #: the ledger kept it (read as ``occurred_at``).
    recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=utcnow)


class SessionRating(TenantScoped, Timestamps, Base):
    """A member's rating of a class they attended: one per member and session, editable."""

    __tablename__ = "session_ratings"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        UniqueConstraint("tenant_id", "member_id", "session_id"),
        Index("ix_session_ratings_tenant_session", "tenant_id", "session_id"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: 1–5
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(1000))
