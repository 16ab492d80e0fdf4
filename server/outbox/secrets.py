"""Webhook signing secrets, sealed at rest with the server's AES-GCM field sealer, bound to
their subscription row."""

from __future__ import annotations

import uuid
from datetime import datetime

from server.db.sealed import FieldSealer
from server.outbox.models import WebhookSubscription


def secret_context(tenant_id: uuid.UUID, subscription_id: uuid.UUID, which: str) -> str:
    return f"webhook_subscriptions:{which}:{tenant_id}:{subscription_id}"


def seal_secret(
    sealer: FieldSealer, tenant_id: uuid.UUID, subscription_id: uuid.UUID, which: str, secret: str
) -> bytes:
    return sealer.seal(secret.encode(), context=secret_context(tenant_id, subscription_id, which))


def live_secrets(sealer: FieldSealer, row: WebhookSubscription, now: datetime) -> tuple[str, ...]:
    """The secrets that sign now: the current one, and the previous one during its grace."""
    found = [
        sealer.open(
            row.secret_sealed, context=secret_context(row.tenant_id, row.id, "current")
        ).decode()
    ]
    previous_live = row.previous_until is not None and row.previous_until > now
    if row.previous_secret_sealed is not None and previous_live:
        found.append(
            sealer.open(
                row.previous_secret_sealed,
                context=secret_context(row.tenant_id, row.id, "previous"),
            ).decode()
        )
    return tuple(found)
