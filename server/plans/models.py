"""Access plans (what a tenant sells), memberships (who holds what) and sales of passes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, Timestamps, UtcDateTime


class AccessPlan(TenantScoped, Timestamps, Base):
    __tablename__ = "access_plans"

    name: Mapped[str] = mapped_column(String(200))
    #: recurring, class_pack, day_pass, guest_pass, corporate (shared.enums.PlanKind)
    kind: Mapped[str] = mapped_column(String(20))
    #: month or year for recurring plans.
    billing_period: Mapped[str | None] = mapped_column(String(10))
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    #: Credits of a class pack.
    credits: Mapped[int | None] = mapped_column(Integer)
    #: Days a pack or pass stays valid after it starts.
    validity_days: Mapped[int | None] = mapped_column(Integer)
    #: home, listed or all (shared.enums.LocationRule); ``location_ids`` for "listed".
    location_rule: Mapped[str] = mapped_column(String(10))
    location_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    visit_limit: Mapped[int | None] = mapped_column(Integer)
    #: week or month.
    visit_limit_period: Mapped[str | None] = mapped_column(String(10))
    #: warn or block when the limit is reached.
    visit_limit_mode: Mapped[str] = mapped_column(String(10), default="block")
    #: Off-peak plans: [{"days": ["mon", ...], "starts": "10:00", "ends": "16:00"}], local
    #: time of the location; empty admits at any time.
    time_windows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Membership(TenantScoped, Timestamps, Base):
    __tablename__ = "memberships"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "plan_id"], ["access_plans.tenant_id", "access_plans.id"]
        ),
        ForeignKeyConstraint(
            ["tenant_id", "home_location_id"], ["locations.tenant_id", "locations.id"]
        ),
        Index("ix_memberships_tenant_member", "tenant_id", "member_id"),
        Index("ix_memberships_tenant_next_charge", "tenant_id", "next_charge_on"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: pending, active, frozen, cancelled, expired, past_due, suspended
    #: (shared.enums.MembershipStatus)
    status: Mapped[str] = mapped_column(String(10))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    frozen_until: Mapped[date | None] = mapped_column(Date)
    #: desk, online, corporate, import
    source: Mapped[str] = mapped_column(String(10))
    credits_remaining: Mapped[int | None] = mapped_column(Integer)
    home_location_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # Recurring plans only (server.plans.renewal_rules): the periods billed from
    # ``starts_on``, the day the next one begins, and when the renewal job charges next
    # (the renewal day, or a retry's day after a decline; None once suspended).
    periods_billed: Mapped[int | None] = mapped_column(Integer)
    next_renewal_on: Mapped[date | None] = mapped_column(Date)
    next_charge_on: Mapped[date | None] = mapped_column(Date)
    #: Declined attempts at the current renewal, and the day of the first.
    failed_charges: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    first_failed_on: Mapped[date | None] = mapped_column(Date)
    #: A membership a corporate account pays for (source ``corporate``): the door says
    #: "Covered by <account>".
    corporate_account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class Sale(TenantScoped, Base):
    """A plan sold to a member (membership, pack, pass or renewal), and the money taken for
    it. The id is the payment's idempotency key. (The table keeps its first name.)"""

    __tablename__ = "desk_payments"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        Index("ix_desk_payments_tenant_taken", "tenant_id", "taken_at"),
        Index("ix_desk_payments_tenant_member", "tenant_id", "member_id", "taken_at"),
        Index("ix_desk_payments_tenant_location", "tenant_id", "location_id", "taken_at"),
        Index("ix_desk_payments_tenant_day", "tenant_id", "taken_on"),
        Index("ix_desk_payments_tenant_receipt", "tenant_id", "receipt_number", unique=True),
        Index("ix_desk_payments_tenant_reference", "tenant_id", "provider", "provider_reference"),
        # Payments still pending at a PSP only (the verify job's sweep).
        Index(
            "ix_desk_payments_tenant_pending",
            "tenant_id",
            "taken_at",
            sqlite_where=text("payment_status = 'pending'"),
            postgresql_where=text("payment_status = 'pending'"),
        ),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    membership_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    plan_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    location_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    #: cash or card_terminal
    method: Mapped[str] = mapped_column(String(20))
    taken_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    device_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: The day of ``taken_at`` where it was sold (the location's zone): revenue periods.
    taken_on: Mapped[date] = mapped_column(Date)
    #: Per tenant 1, 2, 3 … without gaps (allocated in the sale's own transaction).
    receipt_number: Mapped[int] = mapped_column(Integer)
    #: The plan's price when sold; ``amount`` is what was charged (price less discount).
    list_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    discount_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    discount_reason: Mapped[str | None] = mapped_column(String(200))
    #: What refunds have given back or reserved so far (done and pending refunds); never
    #: more than ``amount``.
    refunded_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    #: The part of ``refunded_amount`` whose refunds are still pending at the PSP.
    refund_pending_amount: Mapped[Decimal] = mapped_column(
        Numeric(12, 2), default=Decimal("0"), server_default="0"
    )
    #: paid, pending (mobile money awaiting the payer), failed (shared.enums.PaymentStatus).
    payment_status: Mapped[str] = mapped_column(String(10), default="paid", server_default="paid")
    #: The PSP that took the money (stripe, paystack; None at the desk) and its id of it.
    provider: Mapped[str | None] = mapped_column(String(10))
    provider_reference: Mapped[str | None] = mapped_column(String(100))


class ReceiptCounter(Base):
    """The last receipt number a tenant gave. Taken with one conditional upsert in the sale's
    transaction: the row lock orders concurrent sales, a rollback gives the number back."""

    __tablename__ = "receipt_counters"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class RevenueDay(Base):
    """Sales and refunds summed per local day, location, plan and currency, kept in step in
    the transaction of each sale and refund: the revenue report reads a few thousand of
    these rows for a year, never the whole ledger."""

    __tablename__ = "revenue_days"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    location_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    sales: Mapped[int] = mapped_column(Integer)
    gross: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    refunds: Mapped[Decimal] = mapped_column(Numeric(14, 2))
