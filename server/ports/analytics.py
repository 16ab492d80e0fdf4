"""EventPublisher: movement and business events out. Standalone: local log; integrated: ZHEP.

Domains never publish directly: they add their events to the transactional outbox
(``server.outbox.record``) in the unit of work of the change, and the relay job hands each
event to every configured publisher (a "sink") and to the tenant's webhook subscriptions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from shared.ids import new_id


@dataclass(frozen=True)
class PublishedEvent:
    tenant_id: uuid.UUID
    name: str
    occurred_at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    #: The CloudEvent id, the same on every delivery attempt: receivers dedupe by it.
    id: uuid.UUID = field(default_factory=new_id)
    #: The member the event is about (default: ``data["member_id"]``), if any.
    subject: uuid.UUID | None = None


class EventPublisher(Protocol):
    def publish(self, event: PublishedEvent) -> None:
        """Hand the event on; raise if it was not taken (the relay retries it later)."""
        ...

    def publish_many(self, events: Sequence[PublishedEvent]) -> None:
        """Hand the events on, in order (as few requests as the receiver allows); raise if
        any was not taken: the relay retries them all, and the receiver drops by event id
        what it already has."""
        ...
