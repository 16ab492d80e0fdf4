"""Check-ins: every admission decision at a door, admitted or refused, with its reason."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKeyConstraint, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, UtcDateTime


class Checkin(TenantScoped, Base):
    __tablename__ = "checkins"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        ForeignKeyConstraint(["tenant_id", "location_id"], ["locations.tenant_id", "locations.id"]),
        Index("ix_checkins_tenant_member_time", "tenant_id", "member_id", "occurred_at"),
        Index("ix_checkins_tenant_location_time", "tenant_id", "location_id", "occurred_at"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    location_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    membership_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    pass_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: qr, barcode, card, search, manual (shared.enums.CheckinMethod)
    method: Mapped[str] = mapped_column(String(10))
    admitted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(300))
    override_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    override_reason: Mapped[str | None] = mapped_column(String(300))
    #: When it happened at the door (business time), and when the server learnt of it.
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    device_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: A re-entry: the admission (same member, same location, within the re-entry window)
    #: whose visit this is. It took no credit and counts as no visit.
    repeat_of: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class CheckinPolicy(Base):
    """A tenant's door rules. One row per tenant; the defaults apply until one is saved."""

    __tablename__ = "checkin_policies"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    #: An admission this many minutes after the last one at the location is the same visit.
    reentry_window_minutes: Mapped[int] = mapped_column(Integer, default=180)
    #: A class can be checked into from this many minutes before its start until its end.
    class_checkin_opens_minutes: Mapped[int] = mapped_column(Integer, default=60)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @property
    def id(self) -> uuid.UUID:
        """Kiosks hold the one row of their tenant under the tenant's id."""
        return self.tenant_id
