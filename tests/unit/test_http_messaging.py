"""The generic SMS/WhatsApp HTTP adapter against a loopback provider of that contract."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator

import httpx
import pytest

from server.adapters.http_messaging import HttpMessaging
from server.ports.notifications import Channel, DeliveryFailed, OutgoingMessage
from tests.loopback.http_base import Fault, serving
from tests.loopback.sms_http import SmsHttpHandler, SmsHttpState

TOKEN = "generic-provider-token"


@pytest.fixture
def provider() -> Iterator[tuple[SmsHttpState, HttpMessaging]]:
    state = SmsHttpState(TOKEN)
    with serving(SmsHttpHandler, state) as url, httpx.Client(timeout=0.5) as client:
        yield (
            state,
            HttpMessaging(client, url=f"{url}/messages", token=TOKEN, sms_from="+15550001111"),
        )


def _sms(to: str = "+233201234567") -> OutgoingMessage:
    return OutgoingMessage(Channel.SMS, to, "", "HIIT at 07:00", status_callback="https://x/cb")


def test_a_message_is_taken(provider: tuple[SmsHttpState, HttpMessaging]) -> None:
    state, adapter = provider
    delivery = adapter.deliver(_sms())
    assert delivery.provider_id and delivery.provider_id.startswith("msg_")
    [sent] = state.messages
    assert sent == {
        "channel": "sms",
        "to": "+233201234567",
        "from": "+15550001111",
        "text": "HIIT at 07:00",
        "status_callback": "https://x/cb",
    }


def test_faults(provider: tuple[SmsHttpState, HttpMessaging]) -> None:
    state, adapter = provider
    state.script.faults += [
        Fault(429, b"slow down", headers={"Retry-After": "90"}),
        Fault(502, b"bad gateway"),
        Fault(delay=1.0),
    ]
    for _ in range(3):
        with pytest.raises(DeliveryFailed) as transient:
            adapter.deliver(_sms())
        assert transient.value.permanent is False
    with pytest.raises(DeliveryFailed) as permanent:
        adapter.deliver(_sms("0201234567"))
    assert permanent.value.permanent is True
    with pytest.raises(DeliveryFailed) as no_whatsapp:
        adapter.deliver(OutgoingMessage(Channel.WHATSAPP, "+233201234567", "", "hi"))
    assert no_whatsapp.value.permanent is True
    assert state.messages == []


def test_retry_after_is_read(provider: tuple[SmsHttpState, HttpMessaging]) -> None:
    state, adapter = provider
    state.script.faults.append(Fault(429, b"slow down", headers={"Retry-After": "90"}))
    with pytest.raises(DeliveryFailed) as failed:
        adapter.deliver(_sms())
    assert failed.value.retry_after == 90


def test_status_callbacks_are_verified(provider: tuple[SmsHttpState, HttpMessaging]) -> None:
    adapter = provider[1]
    url, params = "https://gym.example.com/notices/status/t/n", {"status": "delivered", "id": "m"}
    payload = url + "idm" + "statusdelivered"  # sorted: id, status
    mac = hmac.new(TOKEN.encode(), payload.encode(), hashlib.sha256).digest()
    good = base64.b64encode(mac).decode()
    assert adapter.verify_status_callback(url, params, good)
    assert not adapter.verify_status_callback(url, {**params, "status": "failed"}, good)
    assert not adapter.verify_status_callback(url, params, "")
