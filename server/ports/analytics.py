"""EventPublisher: movement and business events out. Standalone: local log; integrated: ZHEP."""

from __future__ import annotations

import uuid
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
