"""Data access of PSP accounts, cards on file and processed webhooks, scoped by tenant."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from server.db.sealed import FieldSealer
from server.payments.models import PaymentAccount, PaymentCard
from server.ports.payments import ProviderKeys, StoredCard


def secret_context(tenant_id: uuid.UUID, provider: str, field: str) -> str:
    """Binds a sealed key to its row: a copied value does not open under another tenant."""
    return f"payment_accounts:{field}:{tenant_id}:{provider}"


def account(db: Session, tenant_id: uuid.UUID, provider: str) -> PaymentAccount | None:
    return db.get(PaymentAccount, (tenant_id, provider))


def card(db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID) -> PaymentCard | None:
    return db.get(PaymentCard, (tenant_id, member_id))


def open_keys(sealer: FieldSealer, row: PaymentAccount) -> ProviderKeys:
    secret = sealer.open(
        row.sealed_secret_key, context=secret_context(row.tenant_id, row.provider, "secret")
    ).decode()
    webhook = None
    if row.sealed_webhook_secret is not None:
        webhook = sealer.open(
            row.sealed_webhook_secret,
            context=secret_context(row.tenant_id, row.provider, "webhook"),
        ).decode()
    return ProviderKeys(secret_key=secret, webhook_secret=webhook)


def stored_card(row: PaymentCard) -> StoredCard:
    return StoredCard(customer_id=row.customer_id, payment_method_id=row.payment_method_id)
