"""Staff accounts."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, Timestamps, UtcDateTime

#: The password hash of an account invited by email that has not chosen its password.
NO_PASSWORD = ""


class StaffAccount(TenantScoped, Timestamps, Base):
    __tablename__ = "staff_accounts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email"),
        Index("uq_staff_accounts_tenant_id_party_id", "tenant_id", "party_id", unique=True),
        ForeignKeyConstraint(
            ["tenant_id", "home_location_id"], ["locations.tenant_id", "locations.id"]
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    #: Empty for an invited account whose first password is not chosen yet: nothing
    #: signs in with it (:data:`NO_PASSWORD`).
    password_hash: Mapped[str] = mapped_column(String(200))
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    #: The PIN hashed with the tenant's salt (``shared.kiosk_pins.pin_index``): finds whose
    #: PIN it is with one hash. None for PINs set before indexes existed.
    pin_index: Mapped[str | None] = mapped_column(String(200))
    home_location_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Moves on with a change of role, location or activation and with a sign-out: access
    #: tokens issued before stop working (server.signins.grants).
    token_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: An owner's PIN reaches kiosks only when the owner asks (other roles' always do).
    kiosk_pin: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The locations this member of staff's role is limited to (ids as text); None or
    #: empty: the whole tenant. Owners are always tenant-wide.
    location_ids: Mapped[list[str] | None] = mapped_column(JSON)
    #: The ZHEP party (the OpenID Connect subject) who signs in as this account in
    #: integrated mode; None: not linked (password sign-in only).
    party_id: Mapped[str | None] = mapped_column(String(200))

    @property
    def location_scope(self) -> frozenset[uuid.UUID] | None:
        """The locations the role is limited to, or None for the whole tenant."""
        if not self.location_ids:
            return None
        return frozenset(uuid.UUID(i) for i in self.location_ids)


class StaffPasswordToken(TenantScoped, Base):
    """A one-time link to set a staff password: a reset asked for from the sign-in page, or
    an invitation sent when an owner or manager adds the account. Only the secret's hash
    is kept."""

    __tablename__ = "staff_password_tokens"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "staff_id"], ["staff_accounts.tenant_id", "staff_accounts.id"]
        ),
        Index("ix_staff_password_tokens_tenant_staff", "tenant_id", "staff_id", "created_at"),
    )

    staff_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: "reset" or "invitation" (longer-lived).
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
