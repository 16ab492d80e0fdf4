"""An EventPublisher that remembers what it was given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from server.ports.analytics import PublishedEvent


@dataclass
class RecordingEvents:
    events: list[PublishedEvent] = field(default_factory=list)
    #: Raise on publish (a broken analytics link): callers must only log it.
    broken: bool = False

    def publish(self, event: PublishedEvent) -> None:
        if self.broken:
            raise ConnectionError("analytics is unreachable")
        self.events.append(event)

    def publish_many(self, events: Sequence[PublishedEvent]) -> None:
        for event in events:
            self.publish(event)

    def names(self) -> list[str]:
        return [event.name for event in self.events]
