"""WebhookSender: one event to one tenant endpoint (standalone: CloudEvents over HTTP with
Standard Webhooks signatures). Raises when the endpoint did not take it; the outbox relay
retries it later with the same id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from server.ports.analytics import PublishedEvent


@dataclass(frozen=True)
class WebhookMessage:
    url: str
    event: PublishedEvent
    #: Signing secrets (``whsec_…``): the current one, then any still in a rotation's grace
    #: period. Every one signs; the receiver accepts any signature it can verify.
    secrets: tuple[str, ...]


class WebhookRefused(Exception):
    """The endpoint answered, but not with a 2xx (``status``), or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class WebhookSender(Protocol):
    def send(self, message: WebhookMessage) -> None:
        """Deliver the event; raise (``WebhookRefused`` or any error) if it was not taken."""
        ...
