"""Bookings, per-tenant booking policies and the penalties those policies produce."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, Timestamps, UtcDateTime


class Booking(TenantScoped, Timestamps, Base):
    """A member's place (or place in line) in one session.

    ``starts_at``/``ends_at`` copy the session's times so that a member's overlapping
    bookings are found with one indexed query; they move with the session.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "session_id"], ["class_sessions.tenant_id", "class_sessions.id"]
        ),
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index("ix_bookings_tenant_session_position", "tenant_id", "session_id", "position"),
        Index("ix_bookings_tenant_member_start", "tenant_id", "member_id", "starts_at"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: pending, confirmed, waitlisted, cancelled, declined (shared.enums.BookingStatus)
    status: Mapped[str] = mapped_column(String(12))
    #: Arrival order within the session; the waitlist is served in this order.
    position: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: member, staff, kiosk (shared.enums.BookingSource)
    source: Mapped[str] = mapped_column(String(10))
    booked_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    device_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: When the member asked (business time; a kiosk's own clock for offline bookings).
    booked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: When the member was told a freed place passed them by (the screening gate held them
    #: back): told once, not at every place that frees.
    held_back_told_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: The class pack a credit was taken from, if any.
    membership_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    credit_taken: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: in_time, late, by_staff, session_cancelled (shared.enums.CancelKind)
    cancel_kind: Mapped[str | None] = mapped_column(String(20))
    #: on_time, late, no_show (shared.enums.Attendance); None until decided.
    attendance: Mapped[str | None] = mapped_column(String(10))
    checked_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    checkin_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class BookingPolicy(Base):
    """A tenant's booking rules. One row per tenant; defaults apply until one is saved."""

    __tablename__ = "booking_policies"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    #: Booking opens this many days before a session starts and closes this many minutes before.
    opens_days_before: Mapped[int] = mapped_column(Integer, default=14)
    closes_minutes_before: Mapped[int] = mapped_column(Integer, default=0)
    #: Cancelling later than this many minutes before the start is a late cancellation.
    late_cancel_minutes: Mapped[int] = mapped_column(Integer, default=120)
    late_cancel_fee: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    late_cancel_forfeits_credit: Mapped[bool] = mapped_column(Boolean, default=True)
    no_show_fee: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    no_show_forfeits_credit: Mapped[bool] = mapped_column(Boolean, default=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    #: Penalties forgiven per member within ``grace_period_days`` before any applies.
    grace_allowance: Mapped[int] = mapped_column(Integer, default=1)
    grace_period_days: Mapped[int] = mapped_column(Integer, default=30)
    #: A check-in this many minutes after the start counts as late.
    late_after_minutes: Mapped[int] = mapped_column(Integer, default=10)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Penalty(TenantScoped, Base):
    """What a late cancellation or a no-show cost, or why it cost nothing."""

    __tablename__ = "booking_penalties"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "booking_id"], ["bookings.tenant_id", "bookings.id"]),
        Index("ix_booking_penalties_tenant_member", "tenant_id", "member_id", "created_at"),
    )

    booking_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: late_cancel or no_show (shared.enums.PenaltyKind)
    kind: Mapped[str] = mapped_column(String(12))
    #: fee, credit_forfeited, grace, waived (shared.enums.PenaltyOutcome)
    outcome: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    waived_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    waived_reason: Mapped[str | None] = mapped_column(String(300))
    waived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CalendarFeed(Base):
    """A member's private calendar address. The database keeps a random nonce (the address
    is derived from it with the server's secret, so it can be shown again) and the address's
    hash (to find the feed from its address). A new nonce retires the old address."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index("ix_calendar_feeds_tenant_token", "tenant_id", "token_hash", unique=True),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
