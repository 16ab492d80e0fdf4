"""SMS and WhatsApp through Twilio's Messages API, as documented:

``POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`` with HTTP Basic auth
(AccountSid:AuthToken) and a form body ``To``, ``From``, ``Body`` (WhatsApp numbers as
``whatsapp:+E164``) and ``StatusCallback``; 201 answers JSON with ``sid`` and ``status``;
errors answer JSON ``{code, message, more_info, status}``. Status callbacks are form POSTs
signed with ``X-Twilio-Signature``: base64 of HMAC-SHA1, keyed with the auth token, of the
callback URL followed by every POST parameter's name and value, sorted by name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import httpx

from server.adapters.http_failures import failure, unreachable
from server.ports.notifications import Channel, Delivery, DeliveryFailed, OutgoingMessage

DEFAULT_BASE_URL = "https://api.twilio.com"


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    payload = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _address(channel: Channel, number: str) -> str:
    return f"whatsapp:{number}" if channel is Channel.WHATSAPP else number


class TwilioMessaging:
    def __init__(
        self,
        client: httpx.Client,
        *,
        account_sid: str,
        auth_token: str,
        sms_from: str | None,
        whatsapp_from: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
    ) -> None:
        self._client, self._sid, self._token = client, account_sid, auth_token
        self._from = {Channel.SMS: sms_from, Channel.WHATSAPP: whatsapp_from}
        self._url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"

    def channels(self) -> frozenset[Channel]:
        return frozenset(c for c, number in self._from.items() if number)

    def deliver(self, message: OutgoingMessage) -> Delivery:
        sender = self._from.get(message.channel)
        if not sender:
            raise DeliveryFailed(f"no Twilio number for {message.channel}", permanent=True)
        form = {
            "To": _address(message.channel, message.to),
            "From": _address(message.channel, sender),
            "Body": message.text,
        }
        if message.status_callback:
            form["StatusCallback"] = message.status_callback
        try:
            response = self._client.post(self._url, data=form, auth=(self._sid, self._token))
        except httpx.HTTPError as exc:
            raise unreachable("Twilio", exc) from exc
        if response.status_code not in (200, 201):
            raise failure("Twilio", response, _error(response))
        body = response.json()
        return Delivery(provider_id=str(body.get("sid")), status=str(body.get("status", "queued")))

    def verify_status_callback(self, url: str, params: dict[str, str], signature: str) -> bool:
        expected = twilio_signature(self._token, url, params)
        return hmac.compare_digest(expected.encode(), signature.encode())


def _error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return f"{body.get('code')} {body.get('message')}"
    return response.text[:200]
