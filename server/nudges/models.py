"""Nudges sent (or recorded as skipped), each member's nudge settings, and the tenant's."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, UtcDateTime


class Nudge(TenantScoped, Base):
    """One nudge to one member about one subject, sent or skipped with the reason. The
    unique subject is what makes the job safe in several processes: whoever inserts the
    row first sends, in the same transaction as the notice it queues."""

    __tablename__ = "nudges"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        UniqueConstraint("tenant_id", "member_id", "kind", "subject_key", name="uq_nudges_subject"),
        Index("ix_nudges_tenant_member_created", "tenant_id", "member_id", "created_at"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: server.nudges.rules.NudgeKind
    kind: Mapped[str] = mapped_column(String(20))
    #: What it is about, e.g. "booking:<id>" or "streak:week:2026-12-06".
    subject_key: Mapped[str] = mapped_column(String(100))
    #: A sentence naming the facts it was sent for.
    why: Mapped[str] = mapped_column(String(300))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: server.nudges.rules.Skip; None when sent.
    skipped: Mapped[str | None] = mapped_column(String(20))


class NudgeSettings(Base):
    """A member's choices; no row means the defaults."""

    __tablename__ = "nudge_settings"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    #: Kinds the member does not want.
    opted_out: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Quiet hours as minutes after local midnight.
    quiet_start_minute: Mapped[int] = mapped_column(Integer)
    quiet_end_minute: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class NudgePolicy(Base):
    """A tenant's nudge settings; no row means the defaults."""

    __tablename__ = "nudge_policies"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    weekly_cap: Mapped[int] = mapped_column(Integer)
    reminder_minutes: Mapped[int] = mapped_column(Integer)
    lapse_days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
