"""Per-tenant Ed25519 signing keys and the member passes signed with them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Integer, LargeBinary, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, UtcDateTime


class PassKey(TenantScoped, Base):
    __tablename__ = "pass_keys"
    __table_args__ = (UniqueConstraint("tenant_id", "key_id"),)

    #: The short id printed inside every pass token.
    key_id: Mapped[int] = mapped_column(Integer)
    private_key: Mapped[bytes] = mapped_column(LargeBinary)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MemberPass(TenantScoped, Base):
    __tablename__ = "member_passes"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    key_id: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(200))
