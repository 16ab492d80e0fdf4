"""SMS and WhatsApp through any provider that speaks ZMOS's generic HTTP contract
(docs/notifications.md): ``POST {url}`` with ``Authorization: Bearer {token}`` and a JSON
body ``{"channel", "to", "from", "text", "status_callback"}``; a 2xx answer carries JSON
``{"id", "status"}``; 4xx is permanent, 429/5xx transient (Retry-After honoured). Status
callbacks are form POSTs of ``id`` and ``status``, signed with ``X-Signature``: base64 of
HMAC-SHA256, keyed with the token, of the callback URL and the sorted parameters (the
Twilio scheme with SHA-256)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import httpx

from server.adapters.http_failures import failure, unreachable
from server.ports.notifications import Channel, Delivery, DeliveryFailed, OutgoingMessage


def http_signature(token: str, url: str, params: dict[str, str]) -> str:
    payload = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(
        hmac.new(token.encode(), payload.encode(), hashlib.sha256).digest()
    ).decode()


class HttpMessaging:
    def __init__(
        self,
        client: httpx.Client,
        *,
        url: str,
        token: str,
        sms_from: str | None,
        whatsapp_from: str | None = None,
    ) -> None:
        self._client, self._url, self._token = client, url, token
        self._from = {Channel.SMS: sms_from, Channel.WHATSAPP: whatsapp_from}

    def channels(self) -> frozenset[Channel]:
        return frozenset(c for c, number in self._from.items() if number)

    def deliver(self, message: OutgoingMessage) -> Delivery:
        sender = self._from.get(message.channel)
        if not sender:
            raise DeliveryFailed(f"no sender number for {message.channel}", permanent=True)
        payload = {
            "channel": message.channel.value,
            "to": message.to,
            "from": sender,
            "text": message.text,
            "status_callback": message.status_callback,
        }
        try:
            response = self._client.post(
                self._url, json=payload, headers={"Authorization": f"Bearer {self._token}"}
            )
        except httpx.HTTPError as exc:
            raise unreachable("SMS provider", exc) from exc
        if not response.is_success:
            raise failure("SMS provider", response, response.text[:200])
        body = response.json()
        return Delivery(provider_id=str(body.get("id")), status=str(body.get("status", "sent")))

    def verify_status_callback(self, url: str, params: dict[str, str], signature: str) -> bool:
        expected = http_signature(self._token, url, params)
        return hmac.compare_digest(expected.encode(), signature.encode())
