"""Helpers of the outbox tests: the events a container's outbox holds, a relay with a short
timeout, a subscription made through the API."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select

from server.adapters.cloudevents_webhooks import CloudEventsWebhooks
from server.bootstrap import Container
from server.outbox.models import PENDING, OutboxDelivery, OutboxEvent
from server.outbox.relay import Relay
from server.ports.analytics import PublishedEvent
from tests.fakes import RecordingEvents
from tests.integration.helpers import Api, Tenant


def recorded(container: Container, prefix: str = "") -> list[PublishedEvent]:
    """The events in the outbox, in sequence order (``prefix``: of those names)."""
    with container.uow() as uow:
        rows = uow.db.execute(select(OutboxEvent).order_by(OutboxEvent.seq)).scalars().all()
        return [
            PublishedEvent(r.tenant_id, r.name, r.occurred_at, dict(r.data), r.event_id, r.subject)
            for r in rows
            if r.name.startswith(prefix)
        ]


def names(container: Container, prefix: str = "") -> list[str]:
    return [e.name for e in recorded(container, prefix)]


def deliveries(container: Container) -> list[OutboxDelivery]:
    with container.uow() as uow:
        return list(
            uow.db.execute(select(OutboxDelivery).order_by(OutboxDelivery.event_seq)).scalars()
        )


@contextmanager
def relay_of(
    container: Container,
    sink: RecordingEvents | None = None,
    timeout: float = 0.5,
    **options: Any,
) -> Iterator[Relay]:
    client = httpx.Client(timeout=timeout)
    relay = Relay(
        make_uow=container.uow,
        sender=CloudEventsWebhooks(client),
        sinks={"analytics": sink if sink is not None else RecordingEvents()},
        sealer=container.sealer,
        rand=random.Random(7),
        **options,
    )
    try:
        yield relay
    finally:
        relay.close()
        client.close()


def subscribe(
    api: Api,
    tenant: Tenant,
    url: str,
    event_types: list[str] | None = None,
    content_mode: str = "structured",
) -> dict[str, Any]:
    response = api.client.post(
        "/webhooks/subscriptions",
        json={
            "url": url,
            "event_types": event_types or ["*"],
            "description": "tests",
            "content_mode": content_mode,
        },
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def event(tenant_id: str | uuid.UUID, name: str, member: uuid.UUID | None, **data: Any) -> Any:
    from shared.clock import utcnow

    payload = {**data, **({"member_id": str(member)} if member else {})}
    return PublishedEvent(uuid.UUID(str(tenant_id)), name, utcnow(), payload)


def drain(container: Container, relay: Relay, at: datetime, most: int = 500) -> datetime:
    """Run the relay on a simulated clock from ``at``, jumping to the next retry each time,
    until nothing is pending; returns the simulated time it ended at."""
    for _ in range(most):
        relay.run(now=at)
        pending = [d.next_attempt_at for d in deliveries(container) if d.state == PENDING]
        if not pending:
            return at
        later = [t for t in pending if t > at]
        assert later, "deliveries due now were not sent"
        at = min(later)
    raise AssertionError(f"still pending after {most} runs")


class OutboxEvents:
    """What a test reads of the events its use cases recorded: the outbox rows written after
    it was made (or last cleared), as ``PublishedEvent``s."""

    def __init__(self, container: Container, since_start: bool = False) -> None:
        self._container = container
        self._skip = 0 if since_start else len(recorded(container))

    @property
    def events(self) -> list[PublishedEvent]:
        return recorded(self._container)[self._skip :]

    def names(self) -> list[str]:
        return [e.name for e in self.events]

    def clear(self) -> None:
        self._skip = len(recorded(self._container))
