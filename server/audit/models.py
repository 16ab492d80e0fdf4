"""Audit entries: append-only (the database refuses updates, and deletes of young rows)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, UtcDateTime


class AuditEntry(TenantScoped, Base):
    """One change (or one named action) by one actor. Holds names, never values: a member's
    erasure never has to touch it."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_tenant_at", "tenant_id", "at"),
        Index("ix_audit_entries_tenant_entity", "tenant_id", "entity", "entity_id"),
        Index("ix_audit_entries_tenant_actor", "tenant_id", "actor_id"),
    )

    at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: staff, member, device, corporate_admin or system
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_role: Mapped[str | None] = mapped_column(String(20))
    #: A system actor's name (the job's), else None.
    actor_name: Mapped[str | None] = mapped_column(String(60))
    ip: Mapped[str | None] = mapped_column(String(45))
    #: create, update, delete, bulk_create, or a named action (sign-in, erasure, sale …)
    action: Mapped[str] = mapped_column(String(40))
    #: The table changed.
    entity: Mapped[str] = mapped_column(String(60))
    #: The row's key besides the tenant (parts joined with "/"); None for a batch.
    entity_id: Mapped[str | None] = mapped_column(String(120))
    #: Names of the fields written, never their values.
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Rows written, for a batch.
    count: Mapped[int | None] = mapped_column(Integer)


__all__ = ["AuditEntry"]
