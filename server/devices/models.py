"""Kiosk devices and the one-time codes that enrol them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, Timestamps, UtcDateTime


class EnrolmentCode(TenantScoped, Timestamps, Base):
    __tablename__ = "enrolment_codes"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "location_id"], ["locations.tenant_id", "locations.id"]),
        Index("ix_enrolment_codes_tenant_code", "tenant_id", "code_hash", unique=True),
    )

    location_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    device_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class Device(TenantScoped, Timestamps, Base):
    __tablename__ = "devices"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "location_id"], ["locations.tenant_id", "locations.id"]),
    )

    location_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(64))
    #: The device's PIN key (hex), derived from its secret when the server last saw it: what
    #: staff PIN verifiers sent to this kiosk are keyed with. None until then.
    pin_key: Mapped[str | None] = mapped_column(String(64))
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: What the kiosk last reported of its outbox (with a pull): changes not yet accepted by
    #: the server, and when the oldest of them was made. None until it first reports.
    pending_count: Mapped[int | None] = mapped_column(Integer)
    oldest_pending_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
