"""Standalone analytics: events are written as JSON lines to the ``zmos.events`` log."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from server.ports.analytics import PublishedEvent

log = logging.getLogger("zmos.events")


class LogEventPublisher:
    def publish(self, event: PublishedEvent) -> None:
        log.info(
            json.dumps(
                {
                    "tenant_id": str(event.tenant_id),
                    "name": event.name,
                    "occurred_at": event.occurred_at.isoformat(),
                    "data": event.data,
                },
                default=str,
            )
        )

    def publish_many(self, events: Sequence[PublishedEvent]) -> None:
        for event in events:
            self.publish(event)
