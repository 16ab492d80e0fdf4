"""Tenants (providers) and their locations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, Timestamps, UtcDateTime
from server.tenants.rules import DEFAULT_LOCALE
from shared.ids import new_id


class Tenant(Timestamps, Base):
    """The tenant directory: the one table keyed by the tenant's own id."""

    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    #: ISO 4217: what the tenant charges in unless a plan or location says otherwise.
    currency: Mapped[str] = mapped_column(String(3))
    #: 0–6: the hour a member's day starts for movement (a late session counts for the day
    #: before until then).
    day_start_hour: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: The smallest group a corporate report shows a figure for (never below 5).
    corporate_min_group: Mapped[int] = mapped_column(Integer, default=11, server_default="11")


class Location(TenantScoped, Timestamps, Base):
    __tablename__ = "locations"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    timezone: Mapped[str] = mapped_column(String(64))
    capacity: Mapped[int | None] = mapped_column(Integer)
    opening_hours: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: A branch's own currency (London in GBP, Accra in GHS); None: the tenant's.
    currency: Mapped[str | None] = mapped_column(String(3))
    #: How the pages write this branch's dates, times and money (a CLDR locale, "en_GH").
    locale: Mapped[str] = mapped_column(String(35), default=DEFAULT_LOCALE)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LocationClosure(TenantScoped, Timestamps, Base):
    """A holiday closure (``hours`` empty) or days of special hours at one location, from
    ``starts_on`` to ``ends_on`` inclusive, in the location's local dates."""

    __tablename__ = "location_closures"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "location_id"], ["locations.tenant_id", "locations.id"]),
        Index("ix_location_closures_tenant_location_ends", "tenant_id", "location_id", "ends_on"),
    )

    location_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: [{"opens": "10:00", "closes": "14:00"}, ...]; empty: closed all day.
    hours: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
