"""Integrated messaging: ZHEP's messaging service (``docs/zhep/messaging.openapi.yaml``).

ZHEP holds a party's addresses, consent and channel preferences, so a message names the
party when its id is known, else the email address ZMOS has. A message's idempotency key is
its own id when it carries one, else a digest of what it says to whom: the same message
handed over again (a retried job, a request sent again after a timeout) is sent once.

Channels ZHEP does not carry (staff channels such as Slack or Teams) go to ``fallback``.
A refusal raises ``ZhepRejected``; no answer raises ``ZhepUnavailable``: the caller's delivery
log retries it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import uuid
from typing import Any

from server.adapters.zhep_http import ZhepEndpoint, ZhepRejected, ZhepUnavailable
from server.ports.notifications import (
    Channel,
    Delivery,
    DeliveryFailed,
    Notification,
    NotificationService,
    OutgoingMessage,
)

log = logging.getLogger("zmos.zhep")

ZHEP_CHANNELS = frozenset({"email", "sms", "whatsapp", "push"})
_KEYS = uuid.UUID("7d0c8f1e-3b9a-4c55-9a51-2f3f0c2b9e10")


def message_body(notification: Notification) -> dict[str, Any]:
    """What ZHEP is asked to send. Fields the port may gain (a channel, a party id, a tenant,
    a template) are read when present."""
    channel = str(getattr(notification, "channel", None) or "email")
    party_id = getattr(notification, "party_id", None)
    recipient: dict[str, str] = {}
    if party_id:
        recipient["party_id"] = str(party_id)
    elif notification.to_email:
        recipient["email"] = notification.to_email
    phone = getattr(notification, "to_phone", None)
    if phone and not party_id:
        recipient["phone"] = str(phone)
    body: dict[str, Any] = {"recipient": recipient, "channel": channel}
    tenant_id = getattr(notification, "tenant_id", None)
    if tenant_id is not None:
        body["tenant_id"] = str(tenant_id)
    template_id = getattr(notification, "template_id", None)
    if template_id:
        variables = getattr(notification, "variables", None) or {}
        body["template"] = {"id": str(template_id), "variables": dict(variables)}
    else:
        body["subject"] = notification.subject
        body["body"] = notification.body
    if notification.attachments:
        body["attachments"] = [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "content_base64": base64.b64encode(a.content).decode("ascii"),
            }
            for a in notification.attachments
        ]
    return body


def message_key(notification: Notification, body: dict[str, Any]) -> str:
    own = getattr(notification, "id", None) or getattr(notification, "idempotency_key", None)
    if own:
        return str(own)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    return str(uuid.uuid5(_KEYS, digest))


def outgoing_body(message: OutgoingMessage) -> dict[str, Any]:
    """A delivery-log message (email, SMS, WhatsApp) as ZHEP is asked to send it."""
    by_phone = message.channel in (Channel.SMS, Channel.WHATSAPP)
    recipient = {"phone" if by_phone else "email": message.to}
    body: dict[str, Any] = {
        "recipient": recipient,
        "channel": message.channel.value,
        "subject": message.subject[:300],
        "body": message.text,
    }
    if message.html and not by_phone:
        body["html"] = message.html
    if message.unsubscribe is not None and not by_phone:
        body["unsubscribe_url"] = message.unsubscribe.url
    return body


class ZhepMessaging:
    def __init__(
        self, endpoint: ZhepEndpoint, *, fallback: NotificationService | None = None
    ) -> None:
        self._endpoint, self._fallback = endpoint, fallback

    def send(self, notification: Notification) -> None:
        channel = str(getattr(notification, "channel", None) or "email")
        if channel not in ZHEP_CHANNELS:
            if self._fallback is None:
                raise ValueError(f"ZHEP messaging does not carry the {channel!r} channel")
            self._fallback.send(notification)
            return
        body = message_body(notification)
        accepted = self._endpoint.request(
            "POST", "/v1/messages", json=body, idempotency_key=message_key(notification, body)
        )
        log.info("ZHEP accepted message %s (%s)", accepted.get("id"), channel)

    def channels(self) -> frozenset[Channel]:
        """The member channels of the delivery log ZHEP carries besides email."""
        return frozenset({Channel.SMS, Channel.WHATSAPP})

    def verify_status_callback(self, url: str, params: dict[str, str], signature: str) -> bool:
        """ZHEP keeps delivery status itself and never posts it back."""
        return False

    def deliver(self, message: OutgoingMessage) -> Delivery:
        """Hand a delivery-log message to ZHEP, keyed by the message's own id: a refusal is
        permanent, no answer a later try's business."""
        body = outgoing_body(message)
        key = message.key or message_key(Notification(message.to, message.subject, ""), body)
        try:
            accepted = self._endpoint.request(
                "POST", "/v1/messages", json=body, idempotency_key=key
            )
        except ZhepRejected as exc:
            raise DeliveryFailed(str(exc), permanent=True) from exc
        except ZhepUnavailable as exc:
            raise DeliveryFailed(str(exc), permanent=False) from exc
        return Delivery(provider_id=str(accepted.get("id") or "") or None, status="sent")
