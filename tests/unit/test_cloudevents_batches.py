"""The CloudEvents batch request: the shape of the body and headers, the Standard Webhooks
signature (checked with ``standardwebhooks.Webhook.verify``), the deterministic
``webhook-id``, and a real round trip to the loopback receiver."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from server.adapters.cloudevents_webhooks import (
    BATCH_CONTENT_TYPE,
    CloudEventsWebhooks,
    signed_batch,
)
from server.outbox import rules
from server.ports.analytics import PublishedEvent
from server.ports.webhooks import WebhookBatch, WebhookRefused
from tests.loopback.event_receiver import BATCH, Answer, event_receiver

TENANT = uuid.uuid4()


def _events(count: int) -> tuple[PublishedEvent, ...]:
    at = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    member = uuid.uuid4()
    return tuple(
        PublishedEvent(TENANT, "checkin.recorded", at, {"n": i}, subject=member if i else None)
        for i in range(count)
    )


def test_a_batch_is_a_json_array_of_structured_events_signed_by_every_secret() -> None:
    secrets = (rules.new_secret(), rules.new_secret())
    events = _events(3)
    headers, body = signed_batch(WebhookBatch("https://example.com/h", events, secrets))
    assert headers["content-type"] == BATCH_CONTENT_TYPE == BATCH
    parsed = json.loads(body)
    assert [e["id"] for e in parsed] == [str(e.id) for e in events]
    assert {e["specversion"] for e in parsed} == {"1.0"}
    assert parsed[0]["type"] == "io.zmos.checkin.recorded"
    assert parsed[0]["source"] == f"/zmos/tenants/{TENANT}"
    assert "subject" not in parsed[0] and parsed[1]["subject"] == str(events[1].subject)
    assert parsed[2]["data"] == {"n": 2} and parsed[2]["time"] == "2026-12-05T09:30:00Z"
    for secret in secrets:
        assert Webhook(secret).verify(body, headers) == parsed
    with pytest.raises(WebhookVerificationError):
        Webhook(rules.new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secrets[0]).verify(body.replace(b'"n": 2', b'"n": 3'), headers)


def test_the_webhook_id_is_the_same_for_the_same_events_only() -> None:
    events = _events(4)
    one = WebhookBatch("https://a.example/h", events, (rules.new_secret(),))
    again = WebhookBatch("https://b.example/h", events, (rules.new_secret(),))
    assert one.id == again.id == signed_batch(one)[0]["webhook-id"]
    assert uuid.UUID(one.id).version == 5 and one.id not in {str(e.id) for e in events}
    assert WebhookBatch(one.url, events[:3], one.secrets).id != one.id
    assert WebhookBatch(one.url, events[::-1], one.secrets).id != one.id


def test_send_batch_to_a_real_receiver_and_refusals_raise() -> None:
    secret = rules.new_secret()
    events = _events(5)
    with (
        event_receiver([secret], lambda n, _e: Answer(503) if n == 2 else Answer()) as receiver,
        httpx.Client(timeout=2) as client,
    ):
        sender = CloudEventsWebhooks(client)
        batch = WebhookBatch(receiver.url, events, (secret,))
        sender.send_batch(batch)
        assert receiver.ids() == [str(e.id) for e in events]
        assert receiver.log[0].webhook_id == batch.id
        with pytest.raises(WebhookRefused) as refused:
            sender.send_batch(batch)
        assert refused.value.status == 503 and len(receiver.accepted) == 5
        with pytest.raises(WebhookRefused) as unsigned:
            sender.send_batch(WebhookBatch(receiver.url, events, (rules.new_secret(),)))
        assert unsigned.value.status == 401 and receiver.bad_signatures == 1
