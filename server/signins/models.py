"""Refresh tokens and the sign-in throttle (the tables keep their names)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, UtcDateTime


class RefreshToken(TenantScoped, Base):
    """A refresh token, stored only as a hash; rotated on every use."""

    __tablename__ = "refresh_tokens"

    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    token_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: The token that replaced this one when it was rotated (None: not rotated, or ended).
    replaced_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class LoginThrottle(Base):
    """Failed logins per account, kept in the database so every server process agrees."""

    __tablename__ = "login_throttle"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
