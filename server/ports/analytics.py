"""EventPublisher: movement and business events out. Standalone: local log; integrated: ZHEP."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class PublishedEvent:
    tenant_id: uuid.UUID
    name: str
    occurred_at: datetime
    data: dict[str, Any] = field(default_factory=dict)


class EventPublisher(Protocol):
    def publish(self, event: PublishedEvent) -> None: ...


def publish_committed(events: EventPublisher, published: Iterable[PublishedEvent]) -> None:
    """Publish facts the caller has committed. They are stored already, so a publisher that
    fails is logged, never the caller's failure."""
    for event in published:
        try:
            events.publish(event)
        except Exception:
            logging.getLogger("zmos.events").exception("could not publish %s", event.name)
