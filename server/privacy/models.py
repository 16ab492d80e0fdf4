"""The log of privacy requests: what a member (or staff for them) asked, and when it was done."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, UtcDateTime
from shared.clock import utcnow


class PrivacyRequest(TenantScoped, Base):
    """One export, erasure or rectification; an export or erasure is done as it is asked,
    a member's rectification request waits for staff (``completed_at`` None until then)."""

    __tablename__ = "privacy_requests"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index("ix_privacy_requests_tenant_requested", "tenant_id", "requested_at"),
        Index("ix_privacy_requests_tenant_member", "tenant_id", "member_id"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: server.privacy.rules.RequestKind
    kind: Mapped[str] = mapped_column(String(16))
    #: "member" or "staff"
    requested_by_kind: Mapped[str] = mapped_column(String(10))
    requested_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: The member's own words (a rectification they ask for); deleted on erasure.
    details: Mapped[str | None] = mapped_column(String(2000))
    #: What was done ("exported 23 tables", "erased"), written by the server.
    outcome: Mapped[str | None] = mapped_column(String(500))
