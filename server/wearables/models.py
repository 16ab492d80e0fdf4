"""Activity files a member (or staff for them) uploaded, with what became of each record.

One row per distinct file per member: the same bytes again (by SHA-256) answer with the
first import instead of being read a second time."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, UtcDateTime


class ActivityImport(TenantScoped, Base):
    __tablename__ = "activity_imports"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        UniqueConstraint("tenant_id", "member_id", "sha256"),
        Index("ix_activity_imports_tenant_member_time", "tenant_id", "member_id", "uploaded_at"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    filename: Mapped[str] = mapped_column(String(255))
    #: server.wearables.schemas.SourceFormat
    format: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: The member themself, or the member of staff who uploaded for them.
    uploaded_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    kept: Mapped[int] = mapped_column(Integer)
    merged: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)
    #: One entry per record: what it was, what became of it and why.
    report: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
