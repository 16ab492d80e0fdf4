"""Refunds of sales."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKeyConstraint, Index, Numeric, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, TenantScoped, UtcDateTime


class Refund(TenantScoped, Base):
    """Money given back on a sale. The id is made by the client: the refund's idempotency
    key, so a retried request refunds once."""

    __tablename__ = "sale_refunds"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "sale_id"], ["desk_payments.tenant_id", "desk_payments.id"]
        ),
        Index("ix_sale_refunds_tenant_sale", "tenant_id", "sale_id"),
        Index("ix_sale_refunds_tenant_day", "tenant_id", "refunded_on"),
        # Pending refunds only (the job's sweep): a few rows, however many tenants.
        Index(
            "ix_sale_refunds_tenant_pending",
            "tenant_id",
            "requested_at",
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
    )

    sale_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(300))
    refunded_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: When the money went back (None while pending, or declined).
    refunded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: The day of ``refunded_at`` at the sale's location: the revenue period it falls in.
    refunded_on: Mapped[date | None] = mapped_column(Date)
    payment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: pending, done, declined (shared.enums.RefundState).
    state: Mapped[str] = mapped_column(String(10), default="done", server_default="done")
    #: When it was asked for (reserved on the sale); None for refunds older than states.
    requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: The PSP's reason, for a declined refund.
    declined_reason: Mapped[str | None] = mapped_column(String(300))
