"""The source system's ids of imported records, and the console's import runs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, LargeBinary, String, Uuid, false
from sqlalchemy.orm import Mapped, deferred, mapped_column

from server.db.base import Base, TenantScoped, Timestamps, UtcDateTime


class MigrationKey(Base):
    """One record of another system, and the ZMOS record it became.

    ``digest`` is a hash of the row as last imported: a re-run whose row hashes the same
    changes nothing, whatever order or file it comes in."""

    __tablename__ = "migration_keys"
    __table_args__ = (Index("ix_migration_keys_tenant_zmos", "tenant_id", "entity", "zmos_id"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    source_system: Mapped[str] = mapped_column(String(60), primary_key=True)
    #: members, memberships, class_types, sessions, bookings
    entity: Mapped[str] = mapped_column(String(20), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    zmos_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    digest: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MigrationRun(TenantScoped, Timestamps, Base):
    """A file uploaded in the console: its mapping, then a dry run or an import running in
    the background (``done`` of ``total`` rows), then its per-row report."""

    __tablename__ = "migration_runs"
    __table_args__ = (Index("ix_migration_runs_tenant_created", "tenant_id", "created_at"),)

    source_system: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    headers: Mapped[list[str]] = mapped_column(JSON, default=list)
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    date_format: Mapped[str] = mapped_column(String(10), default="iso")
    #: uploaded, running, done, failed
    status: Mapped[str] = mapped_column(String(10), default="uploaded")
    dry_run: Mapped[bool] = mapped_column(Boolean, default=True)
    apply_good_rows: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Members: a row whose email an existing member holds is linked to them.
    link_existing_by_email: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
