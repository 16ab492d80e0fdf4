"""Tenants' PSP accounts, members' cards on file, and the PSP webhooks already processed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, UtcDateTime


class PaymentAccount(Base):
    """A tenant's own account at a PSP: its keys sealed at rest (AES-GCM, bound to the row)."""

    __tablename__ = "payment_accounts"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    #: stripe or paystack (shared.enums.PaymentProvider)
    provider: Mapped[str] = mapped_column(String(10), primary_key=True)
    sealed_secret_key: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_webhook_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: The last four characters of the secret key, to show which key is set.
    key_hint: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[uuid.UUID] = mapped_column(Uuid)


class PaymentCard(Base):
    """A member's card on file at Stripe: the customer and its default payment method."""

    __tablename__ = "payment_cards"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(100))
    payment_method_id: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: What the staff see of the card (Stripe's ``card.brand``, ``last4``, ``exp_month``,
    #: ``exp_year``), for display only; None when the client did not send them.
    brand: Mapped[str | None] = mapped_column(String(20))
    last4: Mapped[str | None] = mapped_column(String(4))
    exp_month: Mapped[int | None] = mapped_column(Integer)
    exp_year: Mapped[int | None] = mapped_column(Integer)


class PaymentWebhookEvent(Base):
    """A PSP's webhook event processed once: its id is unique per tenant and provider, so a
    duplicate delivery changes nothing."""

    __tablename__ = "payment_webhook_events"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    provider: Mapped[str] = mapped_column(String(10), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: What processing did: settled, failed, refunded, unknown_payment, no_change
    outcome: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
