"""The delivery log of messages to members and staff (booking confirmations, nudges,
staff channel posts), a tenant's sender and staff channels, and members' channel choices."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, UtcDateTime


class Notice(TenantScoped, Base):
    """One message on one channel, written with the change it is about; the job sends it
    later and records every attempt's outcome here."""

    __tablename__ = "notices"
    __table_args__ = (
        Index("ix_notices_tenant_unsent", "tenant_id", "sent_at", "next_attempt_at"),
        Index("ix_notices_tenant_created", "tenant_id", "created_at"),
    )

    #: The recipient on ``channel``: an email address, an E.164 phone number, or for the
    #: staff channels (slack, teams) the channel's name (its webhook URL is sealed apart).
    to_email: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: What it is about, e.g. "booking.promoted", for tests and support.
    topic: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    channel: Mapped[str] = mapped_column(String(10), default="email", server_default="email")
    #: transactional, reminder, nudge, marketing or staff (see ``rules.Kind``).
    kind: Mapped[str] = mapped_column(
        String(15), default="transactional", server_default="transactional"
    )
    #: The member it is for (preferences, unsubscribe), if it is for a member.
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: queued (to be sent or retried), sent, failed (for good).
    status: Mapped[str] = mapped_column(String(10), default="queued", server_default="queued")
    provider_id: Mapped[str | None] = mapped_column(String(100))
    #: What the provider reported later (delivered, undelivered, read, ...).
    provider_status: Mapped[str | None] = mapped_column(String(20))
    #: The body carries a one-time secret (a password or invitation link): it is wiped
    #: once the notice is sent or failed for good, and never listed.
    secret: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Email only: one attached file (a receipt's PDF), dropped once sent or failed.
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)


class NoticeSettings(Base):
    """A tenant's sender, default quiet hours and staff channels; no row means defaults."""

    __tablename__ = "notice_settings"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    sender_name: Mapped[str | None] = mapped_column(String(100))
    sender_email: Mapped[str | None] = mapped_column(String(320))
    #: Quiet hours as minutes after local midnight, for members who set none.
    quiet_start_minute: Mapped[int] = mapped_column(Integer)
    quiet_end_minute: Mapped[int] = mapped_column(Integer)
    #: Staff events posted to the staff channels, e.g. ["session.cancelled"].
    staff_events: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


def staff_channel_context(tenant_id: uuid.UUID, row_id: uuid.UUID) -> str:
    """What a staff channel's sealed webhook URL is bound to: its own row."""
    return f"staff_channels:url:{tenant_id}:{row_id}"


class StaffChannel(TenantScoped, Base):
    """A tenant's Slack or Teams incoming webhook; the URL is a secret, sealed (AES-GCM)."""

    __tablename__ = "staff_channels"
    __table_args__ = (UniqueConstraint("tenant_id", "channel"),)

    #: slack or teams
    channel: Mapped[str] = mapped_column(String(10))
    sealed_url: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ChannelPreferences(Base):
    """A member's channels per kind of message; no row means email for every kind."""

    __tablename__ = "channel_preferences"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    #: {"reminder": ["email", "sms"], "nudge": [], "marketing": ["whatsapp"]}
    channels: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
