"""WebhookSender: events to one tenant endpoint (standalone: CloudEvents over HTTP with
Standard Webhooks signatures), one per request (``send``) or many (``send_batch``). Raises
when the endpoint did not take them; the outbox relay retries them later with the same ids."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from server.ports.analytics import PublishedEvent

#: Names the id of a batch of events: uuid5 of their ids, so the same events sent again make
#: a request with the same id.
BATCH_NAMESPACE = uuid.UUID("6f0b5a52-7f0e-4f2e-9a43-2b1f3d1c0b5e")


@dataclass(frozen=True)
class WebhookMessage:
    url: str
    event: PublishedEvent
    #: Signing secrets (``whsec_…``): the current one, then any still in a rotation's grace
    #: period. Every one signs; the receiver accepts any signature it can verify.
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class WebhookBatch:
    """Several events to one endpoint in one request, in this order."""

    url: str
    events: tuple[PublishedEvent, ...]
    secrets: tuple[str, ...]

    @property
    def id(self) -> str:
        """The request's ``webhook-id``: the same for the same events in the same order."""
        return str(uuid.uuid5(BATCH_NAMESPACE, ",".join(str(e.id) for e in self.events)))


class WebhookRefused(Exception):
    """The endpoint answered, but not with a 2xx (``status``), or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class WebhookSender(Protocol):
    def send(self, message: WebhookMessage) -> None:
        """Deliver the event; raise (``WebhookRefused`` or any error) if it was not taken."""
        ...

    def send_batch(self, batch: WebhookBatch) -> None:
        """Deliver the events in one request; raise if it was not taken (then none of them
        counts as delivered)."""
        ...
