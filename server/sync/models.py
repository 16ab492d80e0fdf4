"""Sync state: each device's acknowledged mutations, the per-location change log, review items."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKeyConstraint,
    Index,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, UtcDateTime


class DeviceSyncState(Base):
    """The highest mutation id a device has had applied. Locked by every push of that device."""

    __tablename__ = "device_sync_state"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    last_mutation_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SyncMutation(Base):
    """What the server did with each pushed mutation: the audit trail of a kiosk's outbox."""

    __tablename__ = "sync_mutations"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    mutation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    #: applied or rejected (shared.enums.MutationStatus)
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(1000))
    device_time: Mapped[datetime] = mapped_column(UtcDateTime)
    #: The device time was far ahead of the server's and was replaced by the server's.
    clamped: Mapped[bool] = mapped_column(Boolean, default=False)
    hlc: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LocationSyncSeq(Base):
    """A location's change counter. Updating it row-locks it until commit, so that change
    sequence numbers are handed out in commit order."""

    __tablename__ = "location_sync_seq"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    location_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Changes up to here have been pruned: an older cursor needs a new snapshot.
    pruned_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class SyncChange(Base):
    """One row changed, as a kiosk of ``location_id`` downloads it."""

    __tablename__ = "sync_changes"
    __table_args__ = (Index("ix_sync_changes_tenant_created", "tenant_id", "created_at"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    location_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(50))
    row_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReviewItem(TenantScoped, Base):
    """Something the server accepted but staff should look at."""

    __tablename__ = "review_items"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "location_id"], ["locations.tenant_id", "locations.id"]),
        Index("ix_review_items_tenant_location_status", "tenant_id", "location_id", "status"),
    )

    location_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: shared.sync.messages REVIEW_* kinds
    kind: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    checkin_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    device_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    mutation_id: Mapped[int | None] = mapped_column(BigInteger)
    summary: Mapped[str] = mapped_column(String(1000))
    #: open or resolved
    status: Mapped[str] = mapped_column(String(10), default="open")
    resolution_note: Mapped[str | None] = mapped_column(String(1000))
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


__all__ = ["DeviceSyncState", "LocationSyncSeq", "ReviewItem", "SyncChange", "SyncMutation"]
