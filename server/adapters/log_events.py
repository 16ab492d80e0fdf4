"""Standalone analytics: events are written as JSON lines to the ``zmos.events`` log."""

from __future__ import annotations

import json
import logging

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
