"""Members: the people who come through the door, and their email verifications."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, validates

from server.db.base import Base, TenantScoped, Timestamps, UtcDateTime
from shared.normalise import name_search_key


class Member(TenantScoped, Timestamps, Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email"),
        UniqueConstraint("tenant_id", "barcode"),
        UniqueConstraint("tenant_id", "card_number"),
        Index("uq_members_tenant_id_party_id", "tenant_id", "party_id", unique=True),
        Index("ix_members_tenant_phone", "tenant_id", "phone"),
        Index("ix_members_tenant_name", "tenant_id", "last_name", "first_name"),
        Index("ix_members_tenant_search_key", "tenant_id", "search_key"),
        ForeignKeyConstraint(
            ["tenant_id", "home_location_id"], ["locations.tenant_id", "locations.id"]
        ),
        ForeignKeyConstraint(["tenant_id", "guest_of_id"], ["members.tenant_id", "members.id"]),
    )

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    #: The name folded (case and accents gone) as searches match it: Python folds it, so
    #: "Ɛfua" and "Émile" are found alike on SQLite (ASCII-only ``lower``) and PostgreSQL.
    search_key: Mapped[str] = mapped_column(String(210), default="", server_default="")
    #: Lower-case, or None for members registered without one (walk-ins, guests).
    email: Mapped[str | None] = mapped_column(String(320))
    #: Digits only (with a leading + kept), so "+233 20 000-0000" and "+233200000000" match.
    phone: Mapped[str | None] = mapped_column(String(20))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    fitness_goals: Mapped[list[str]] = mapped_column(JSON, default=list)
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    photo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    photo_content_type: Mapped[str | None] = mapped_column(String(40))
    #: When the photo last changed: kiosks fetch a new thumbnail when it moves on.
    photo_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: Limited to low intensity until cleared: the latest screening needs a staff
    #: clearance. No answer or flag, only what a kiosk needs to warn at the desk offline;
    #: kept by the screening service.
    screening_limited: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    #: The last day a clearance of that screening holds (None: none holds).
    screening_cleared_until: Mapped[date | None] = mapped_column(Date)
    #: A printed barcode and a key card number, both looked up at the kiosk.
    barcode: Mapped[str | None] = mapped_column(String(64))
    card_number: Mapped[str | None] = mapped_column(String(64))
    home_location_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: A guest is linked to the member who brought them.
    guest_of_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: Who to call if something happens (name and phone, as given at the desk).
    emergency_contact: Mapped[str | None] = mapped_column(String(200))
    #: When the member accepted the waiver (at the desk, for walk-ins).
    waiver_accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    source: Mapped[str] = mapped_column(String(20))
    #: The staff member who registered them at a kiosk (a walk-in).
    registered_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: The staff member who last gave them a card at a kiosk.
    card_assigned_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    email_verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: The member's party in ZHEP (integrated mode): the OpenID Connect subject who signs
    #: in as them, and whom ZPS knows their benefits by; None: not linked.
    party_id: Mapped[str | None] = mapped_column(String(200))
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: Moves on when the member is archived: access tokens issued before stop working.
    token_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @validates("first_name", "last_name")
    def _keep_search_key(self, field: str, value: str) -> str:
        # Set with the name itself, so no path that names a member can leave the key stale.
        first = value if field == "first_name" else (self.first_name or "")
        last = value if field == "last_name" else (self.last_name or "")
        self.search_key = name_search_key(first, last)[:210]
        return value


class EmailVerification(TenantScoped, Base):
    __tablename__ = "email_verifications"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PasswordToken(TenantScoped, Base):
    """A one-time link to set a password: a reset asked for by the member, or an invitation
    sent when staff add or import them. Only the secret's hash is kept."""

    __tablename__ = "member_password_tokens"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index("ix_member_password_tokens_tenant_member", "tenant_id", "member_id", "created_at"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: "reset" or "invitation" (longer-lived).
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MemberAlert(TenantScoped, Base):
    """A note staff want the desk to see when the member arrives ("waiver missing")."""

    __tablename__ = "member_alerts"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index("ix_member_alerts_tenant_member", "tenant_id", "member_id"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    text: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
