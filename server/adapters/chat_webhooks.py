"""Staff channels: Slack and Microsoft Teams incoming webhooks.

Slack: ``POST`` JSON ``{"text": ...}`` to the webhook URL; it answers ``ok``, or a 4xx with
a text error (``invalid_payload``, ``no_text``; 404 ``no_service``; 410 ``channel_is_archived``)
and 429 with Retry-After when rate limited. Teams: a MessageCard (``@type``, ``@context``,
``summary``, ``title``, ``text``) to the connector URL; it answers 200 (``1``) or an error.
"""

from __future__ import annotations

from typing import Any

import httpx

from server.adapters.http_failures import failure, unreachable
from server.ports.notifications import Delivery, OutgoingMessage


def _post(client: httpx.Client, provider: str, url: str, payload: dict[str, Any]) -> Delivery:
    try:
        response = client.post(url, json=payload)
    except httpx.HTTPError as exc:
        raise unreachable(provider, exc) from exc
    if not response.is_success:
        raise failure(provider, response, response.text[:200])
    return Delivery(provider_id=None, status="sent")


class SlackWebhook:
    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def deliver(self, message: OutgoingMessage) -> Delivery:
        text = f"*{message.subject}*\n{message.text}" if message.subject else message.text
        return _post(self._client, "Slack", message.to, {"text": text})


class TeamsWebhook:
    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def deliver(self, message: OutgoingMessage) -> Delivery:
        card = {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": message.subject or message.text[:80],
            "title": message.subject,
            "text": message.text,
        }
        return _post(self._client, "Teams", message.to, card)
