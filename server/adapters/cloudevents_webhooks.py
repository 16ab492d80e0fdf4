"""CloudEvents 1.0 over HTTP, structured content mode (``application/cloudevents+json``: one
event per request, attributes and data in the body) or batched content mode
(``application/cloudevents-batch+json``: a JSON array of events in structured form), signed as
Standard Webhooks (``webhook-id`` = the event id, or the batch's id; ``webhook-timestamp``,
``webhook-signature`` with one ``v1,`` signature per live secret, space-separated)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from cloudevents.core.bindings.http import to_structured_event
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from standardwebhooks import Webhook

from server.ports.analytics import PublishedEvent
from server.ports.webhooks import WebhookBatch, WebhookMessage, WebhookRefused

#: CloudEvents ``type`` of an event named ``checkin.recorded``: ``io.zmos.checkin.recorded``.
TYPE_PREFIX = "io.zmos."
#: The HTTP binding's batched content mode (CloudEvents JSON format, section 4).
BATCH_CONTENT_TYPE = "application/cloudevents-batch+json"
_JSON = JSONFormat()


def cloud_event(event: PublishedEvent) -> CloudEvent:
    attributes: dict[str, object] = {
        "id": str(event.id),
        "source": f"/zmos/tenants/{event.tenant_id}",
        "type": TYPE_PREFIX + event.name,
        "specversion": "1.0",
        "time": event.occurred_at.astimezone(UTC),
        "datacontenttype": "application/json",
    }
    if event.subject is not None:
        attributes["subject"] = str(event.subject)
    return CloudEvent(attributes=attributes, data=dict(event.data))


def signed_request(
    message: WebhookMessage, at: datetime | None = None
) -> tuple[dict[str, str], bytes]:
    """The headers and body of the request that carries ``message``, signed at ``at``
    (default: now — receivers refuse timestamps more than five minutes off)."""
    structured = to_structured_event(cloud_event(message.event))
    signed = _signed(str(message.event.id), structured.body, message.secrets, at)
    return {**structured.headers, **signed}, structured.body


def signed_batch(batch: WebhookBatch, at: datetime | None = None) -> tuple[dict[str, str], bytes]:
    """The headers and body of the request that carries ``batch``: a JSON array of the
    events, each written by the SDK's JSON format as in structured mode."""
    body = b"[" + b",".join(_JSON.write(cloud_event(e)) for e in batch.events) + b"]"
    signed = _signed(batch.id, body, batch.secrets, at)
    return {"content-type": BATCH_CONTENT_TYPE, **signed}, body


def _signed(
    msg_id: str, body: bytes, secrets: tuple[str, ...], at: datetime | None
) -> dict[str, str]:
    at = at or datetime.now(UTC)
    signatures = " ".join(
        Webhook(secret).sign(msg_id=msg_id, timestamp=at, data=body) for secret in secrets
    )
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
    }


class CloudEventsWebhooks:
    """Posts each event with the injected ``httpx.Client`` (its timeouts bound every
    attempt). A 2xx is delivered; anything else, or no answer, raises ``WebhookRefused``."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def send(self, message: WebhookMessage) -> None:
        self._post(message.url, *signed_request(message))

    def send_batch(self, batch: WebhookBatch) -> None:
        self._post(batch.url, *signed_batch(batch))

    def _post(self, url: str, headers: dict[str, str], body: bytes) -> None:
        try:
            answer = self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise WebhookRefused(f"{type(exc).__name__}: {exc}"[:300]) from None
        if not 200 <= answer.status_code < 300:
            raise WebhookRefused(f"the endpoint answered {answer.status_code}", answer.status_code)
