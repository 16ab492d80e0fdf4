"""A payer's benefits as ZMOS last heard of them (integrated mode), and the visits to report.

``benefit_snapshots``: per member, the eligibility service's last answer, what the door
falls back on when the service does not answer, and what kiosks decide from offline.
``benefit_utilisations``: an admission on a benefit, written in the admission's
transaction and reported to the service by a job until it acknowledges.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, UtcDateTime
from shared.clock import utcnow


class BenefitSnapshot(Base):
    __tablename__ = "benefit_snapshots"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    party_id: Mapped[str] = mapped_column(String(200))
    eligible: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(300))
    benefit_id: Mapped[str | None] = mapped_column(String(64))
    wallet_balance: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[str | None] = mapped_column(String(3))
    visits_left: Mapped[int | None] = mapped_column(Integer)
    #: Until when the answer may be relied on (the service says).
    valid_until: Mapped[datetime] = mapped_column(UtcDateTime)
    #: When the service answered.
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime)


class BenefitUtilisation(TenantScoped, Base):
    """``id`` is the report's idempotency key: every retry sends the same one."""

    __tablename__ = "benefit_utilisations"
    __table_args__ = (
        # The same admission decided twice in one transaction is one report.
        UniqueConstraint("tenant_id", "member_id", "location_id", "occurred_at"),
        Index("ix_benefit_utilisations_tenant_due", "tenant_id", "state", "next_attempt_at"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    party_id: Mapped[str] = mapped_column(String(200))
    benefit_id: Mapped[str] = mapped_column(String(64))
    location_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    purpose: Mapped[str] = mapped_column(String(10))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: pending, reported, or void (no admission was recorded after all).
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(300))
    checkin_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    receipt: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
