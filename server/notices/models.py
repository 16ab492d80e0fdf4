"""The outbox of messages to members and staff (booking confirmations, promotions, changes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, UtcDateTime


class Notice(TenantScoped, Base):
    """One message, written with the change it is about; a dispatcher sends it later."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_tenant_unsent", "tenant_id", "sent_at", "next_attempt_at"),)

    to_email: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: What it is about, e.g. "booking.promoted", for tests and support.
    topic: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
