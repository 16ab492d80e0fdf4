"""Challenges and their participants, each participant's score kept up to date from the
ledger (with the counted events per day, so that a cap, a late upload or a void is decided
exactly as the pure rules decide it)."""

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


class Challenge(TenantScoped, Timestamps, Base):
    __tablename__ = "challenges"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "circle_id"], ["circles.tenant_id", "circles.id"]),
        Index("ix_challenges_tenant_dates", "tenant_id", "ends_on", "starts_on"),
    )

    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(2000))
    #: shared.engagement.challenges.Metric
    metric: Mapped[str] = mapped_column(String(20))
    #: None: individual; "location" or "circle": a team challenge grouped that way.
    team_by: Mapped[str | None] = mapped_column(String(20))
    #: First and last local dates, both included, in each participant's own zone.
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    grace_days: Mapped[int] = mapped_column(Integer, default=2)
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    allow_self_reports: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A score at or above this completes the challenge (None: nothing to complete).
    target: Mapped[int | None] = mapped_column(Integer)
    #: Only this circle's members may join (and, for circle teams, the team).
    circle_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ChallengeParticipant(TenantScoped, Base):
    """A member taking part, with their score as the ledger stands."""

    __tablename__ = "challenge_participants"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "challenge_id"], ["challenges.tenant_id", "challenges.id"]
        ),
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        UniqueConstraint("tenant_id", "challenge_id", "member_id"),
        # The board reads one challenge's rows by score; both databases scan it backwards.
        Index(
            "ix_challenge_participants_board", "tenant_id", "challenge_id", "score", "reached_at"
        ),
        Index("ix_challenge_participants_member", "tenant_id", "member_id"),
    )

    challenge_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: The team's key (a location or circle id); None in an individual challenge.
    team: Mapped[str | None] = mapped_column(String(64))
    #: The IANA zone the participant's window closes in (their home's at joining).
    zone: Mapped[str] = mapped_column(String(64))
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime)
    score: Mapped[int] = mapped_column(Integer, default=0)
    #: When the score was reached (None while it is 0): ties go to whoever came first.
    reached_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_on: Mapped[date | None] = mapped_column(Date)
    #: The counted events per bucket (local day; week for dose-weeks): see rules.encode.
    buckets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
