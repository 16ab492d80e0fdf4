"""Staff events posted from below the domains: the outbox relay tells, through a hook the
wiring gives it, when a webhook subscription's events were given up on."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from server.db.uow import UnitOfWork
from server.notices import service
from server.outbox.models import WebhookSubscription


def webhook_dead_lettered(
    uow: UnitOfWork, tenant_id: uuid.UUID, subscription_id: uuid.UUID, count: int, error: str
) -> None:
    """Post "webhook.dead_lettered" to the tenant's staff channels (if it chose it), in the
    relay's transaction that records the dead letters. Only the endpoint's host is named:
    a webhook URL may carry a token in its path or query."""
    row = uow.db.get(WebhookSubscription, (tenant_id, subscription_id))
    host = (urlsplit(row.url).hostname or "?") if row is not None else "?"
    name = f"{row.description} ({host})" if row is not None and row.description else host
    events = "event was" if count == 1 else "events were"
    service.to_staff(
        uow=uow,
        tenant_id=tenant_id,
        event="webhook.dead_lettered",
        subject=f"Webhook deliveries given up: {name}"[:300],
        body=f"{count} {events} given up on after the last retry to the webhook "
        f"subscription {name} ({subscription_id}). Last error: {error[:300]}. "
        "Fix the endpoint, then replay them from the subscription.",
    )
