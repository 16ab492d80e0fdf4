"""One event publisher that hands every event to several: the standalone one, and in
integrated mode ZHEP's health-score engine besides it (until the outbox delivers to each as
its own sink)."""

from __future__ import annotations

from server.ports.analytics import EventPublisher, PublishedEvent


class FanOutEvents:
    def __init__(self, *publishers: EventPublisher) -> None:
        self.publishers = publishers

    def publish(self, event: PublishedEvent) -> None:
        """Every publisher is given the event, even after one failed; the first failure is
        raised at the end, so the caller knows (and logs, or retries)."""
        failure: Exception | None = None
        for publisher in self.publishers:
            try:
                publisher.publish(event)
            except Exception as exc:
                failure = failure or exc
        if failure is not None:
            raise failure
