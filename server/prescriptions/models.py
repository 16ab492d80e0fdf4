"""Movement prescription profiles and their versions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, Timestamps, UtcDateTime
from shared.clock import utcnow


class PrescriptionProfile(TenantScoped, Timestamps, Base):
    """A profile of a tenant's library; what it prescribes lives in its versions."""

    __tablename__ = "prescription_profiles"
    __table_args__ = (
        # A shipped profile is loaded once per tenant, however often the library is read.
        Index("uq_prescription_profiles_tenant_starter", "tenant_id", "starter_key", unique=True),
    )

    #: Which shipped profile this is (None: the tenant's own).
    starter_key: Mapped[str | None] = mapped_column(String(50))
    #: The version session types and Tiles that follow the profile take their values from.
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PrescriptionProfileVersion(TenantScoped, Base):
    """What a profile prescribed from one edit to the next: never changed once written."""

    __tablename__ = "prescription_profile_versions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "profile_id"],
            ["prescription_profiles.tenant_id", "prescription_profiles.id"],
        ),
        UniqueConstraint("tenant_id", "profile_id", "version"),
    )

    profile_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(2000), default="")
    #: shared.carepath.vocabulary RiskFlag and Goal keys the profile suits.
    indications: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: RiskFlag keys of members it must not be prescribed to.
    contraindications: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: shared.enums.Intensity: nothing above it belongs in the profile.
    intensity_ceiling: Mapped[str] = mapped_column(String(10))
    #: FITT: frequency (sessions a week), intensity, time (minutes), type.
    frequency_min: Mapped[int] = mapped_column(Integer)
    frequency_max: Mapped[int] = mapped_column(Integer)
    intensity: Mapped[str] = mapped_column(String(10))
    minutes_per_session: Mapped[int] = mapped_column(Integer)
    minutes_per_week: Mapped[int] = mapped_column(Integer)
    #: Short words: aerobic, strength, balance, mobility, breathing …
    types: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(String(2000), default="")
    sources: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
