"""Movement events: one fact per attendance, floor check-in, outdoor event, Movement Tile,
staff entry or self-report. A fact is never edited: a correction or a void is a new event
naming the one it replaces (``voids``), and the old one only learns who replaced it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, Timestamps, UtcDateTime
from shared.clock import utcnow


class MovementEvent(TenantScoped, Base):
    __tablename__ = "movement_events"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index("ix_movement_events_tenant_member_time", "tenant_id", "member_id", "occurred_at"),
        # Carries what a sum over a member's months reads, so reports scan the index alone.
        Index(
            "ix_movement_events_tenant_member_date",
            "tenant_id",
            "member_id",
            "local_date",
            "is_void",
            "voided_by",
            "intensity",
            "minutes",
        ),
        Index(
            "ix_movement_events_tenant_pending",
            "tenant_id",
            "id",
            sqlite_where=text("projected_seq IS NULL"),
            postgresql_where=text("projected_seq IS NULL"),
        ),
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
    #: The engagement projector's order of application; None: not projected yet.
    projected_seq: Mapped[int | None] = mapped_column(BigInteger)


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


class EngagementCursor(Base):
    """Per tenant, the last sequence number the projector gave; its row is the projector's
    lock (one projector per tenant at a time)."""

    __tablename__ = "engagement_cursors"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class MemberEngagement(Base):
    """A member's engagement as the projector left it: the rules' states as JSON
    (``shared.engagement.codec``) and the figures lists and reports filter on."""

    __tablename__ = "member_engagement"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index("ix_member_engagement_tenant_weekly", "tenant_id", "weekly_current"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    daily_current: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    daily_longest: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    weekly_current: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    weekly_longest: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score: Mapped[float] = mapped_column(
        Numeric(8, 6, asdecimal=False), default=0.0, server_default="0"
    )
    points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_active_on: Mapped[date | None] = mapped_column(Date)
    #: The member's own weekly goal (written by the member, never by the projector).
    goal_kind: Mapped[str | None] = mapped_column(String(10))
    goal_target: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: A new random number on every write of the row: the projector keeps decoded states
    #: between batches and reads a state again only when its revision moved.
    revision: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class BadgeAward(TenantScoped, Base):
    """Points or a badge a member earned, once per key, with why."""

    __tablename__ = "badge_awards"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        UniqueConstraint("tenant_id", "member_id", "key"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    key: Mapped[str] = mapped_column(String(100))
    badge: Mapped[str | None] = mapped_column(String(50))
    points: Mapped[int] = mapped_column(Integer)
    explanation: Mapped[str] = mapped_column(String(300))
    earned_on: Mapped[date] = mapped_column(Date)
    event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class StreakPause(TenantScoped, Timestamps, Base):
    """Days a member's streaks do not break (illness, travel, coach-approved rest); the
    projector hands it to the streak rules in its order like a movement."""

    __tablename__ = "streak_pauses"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index("ix_streak_pauses_tenant_member", "tenant_id", "member_id"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: illness, travel, rest
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    projected_seq: Mapped[int | None] = mapped_column(BigInteger)
