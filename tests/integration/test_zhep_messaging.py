"""ZhepMessaging against ZHEP's messaging service on loopback
(``docs/zhep/messaging.openapi.yaml``)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from server.adapters.zhep_http import ZhepEndpoint, ZhepRejected, ZhepUnavailable
from server.adapters.zhep_messaging import ZhepMessaging
from server.ports.notifications import (
    Attachment,
    Channel,
    DeliveryFailed,
    Notification,
    OutgoingMessage,
    Unsubscribe,
)
from tests.fakes.notifications import FakeNotifications
from tests.loopback.zhep_services import TOKEN, RunningZhep, zhep_service


@pytest.fixture
def zhep() -> Iterator[RunningZhep]:
    with zhep_service("messaging") as running:
        yield running
        assert running.state.violations == []


def _messaging(
    zhep: RunningZhep, *, token: str = TOKEN, timeout: float = 2.0, fallback: object = None
) -> ZhepMessaging:
    endpoint = ZhepEndpoint(
        "messaging", zhep.url, token, httpx.Client(), timeout=timeout, retries=2, backoff=0.01
    )
    return ZhepMessaging(endpoint, fallback=fallback)  # type: ignore[arg-type]


@dataclass(frozen=True)
class PartyNotification(Notification):
    """The port as it may grow: a channel, a party id, a tenant."""

    channel: str = "email"
    party_id: str | None = None
    tenant_id: uuid.UUID | None = None
    template_id: str | None = None
    variables: dict[str, str] | None = None


def test_an_email_goes_to_the_address_with_subject_body_and_attachments(zhep: RunningZhep) -> None:
    note = Notification(
        "ama@example.com",
        "Your receipt",
        "Thank you",
        (Attachment("r.pdf", "application/pdf", b"%PDF-1"),),
    )
    _messaging(zhep).send(note)
    [message] = [body for body, _ in zhep.state.messages.values()]
    assert message["recipient"] == {"email": "ama@example.com"}
    assert message["channel"] == "email"
    assert (message["subject"], message["body"]) == ("Your receipt", "Thank you")
    assert base64.b64decode(message["attachments"][0]["content_base64"]) == b"%PDF-1"


def test_a_known_party_is_named_instead_of_the_address(zhep: RunningZhep) -> None:
    tenant = uuid.uuid4()
    note = PartyNotification(
        "ama@example.com",
        "",
        "",
        channel="whatsapp",
        party_id="party-42",
        tenant_id=tenant,
        template_id="streak-at-risk",
        variables={"days": "6"},
    )
    _messaging(zhep).send(note)
    [message] = [body for body, _ in zhep.state.messages.values()]
    assert message["recipient"] == {"party_id": "party-42"}
    assert message["channel"] == "whatsapp" and message["tenant_id"] == str(tenant)
    assert message["template"] == {"id": "streak-at-risk", "variables": {"days": "6"}}
    assert "body" not in message


def test_5xx_and_timeouts_send_the_same_key_again_and_one_message_is_sent(
    zhep: RunningZhep,
) -> None:
    zhep.state.fail(503)
    zhep.state.slow(1.0)  # accepted, but the answer is lost
    _messaging(zhep, timeout=0.4).send(Notification("ama@example.com", "Hi", "Welcome"))
    keys = {r["headers"]["Idempotency-Key"] for r in zhep.state.seen("POST", "/v1/messages")}
    assert len(zhep.state.seen("POST", "/v1/messages")) == 3 and len(keys) == 1
    assert len(zhep.state.messages) == 1


def test_the_same_message_handed_over_twice_is_sent_once(zhep: RunningZhep) -> None:
    messaging = _messaging(zhep)
    note = Notification("ama@example.com", "Hi", "Welcome")
    messaging.send(note)
    messaging.send(note)
    messaging.send(Notification("ama@example.com", "Hi", "Welcome back"))
    assert len(zhep.state.messages) == 2


def test_a_refusal_raises_with_zhep_s_reason_and_is_not_retried(zhep: RunningZhep) -> None:
    zhep.state.unknown_parties.add("party-gone")
    note = PartyNotification("x@example.com", "Hi", "Body", party_id="party-gone")
    with pytest.raises(ZhepRejected, match=r"recipient_unknown.*no party party-gone"):
        _messaging(zhep).send(note)
    assert len(zhep.state.requests) == 1


def test_a_bad_token_raises_and_says_so(zhep: RunningZhep) -> None:
    with pytest.raises(ZhepRejected, match=r"401.*service token was refused"):
        _messaging(zhep, token="nope").send(Notification("a@example.com", "s", "b"))
    assert len(zhep.state.requests) == 1


def test_no_answer_raises_unavailable_for_the_delivery_log_to_retry(zhep: RunningZhep) -> None:
    zhep.state.fail(500, times=3)
    with pytest.raises(ZhepUnavailable):
        _messaging(zhep).send(Notification("a@example.com", "s", "b"))
    assert zhep.state.messages == {}


def test_a_channel_zhep_does_not_carry_goes_to_the_fallback(zhep: RunningZhep) -> None:
    fallback = FakeNotifications()
    note = PartyNotification("", "Door 2 offline", "Kiosk lost its camera", channel="slack")
    _messaging(zhep, fallback=fallback).send(note)
    assert zhep.state.requests == [] and len(fallback.sent) == 1
    with pytest.raises(ValueError, match="does not carry the 'slack' channel"):
        _messaging(zhep).send(note)


def test_a_delivery_log_message_goes_by_its_channel_keyed_by_its_notice(
    zhep: RunningZhep,
) -> None:
    """Integrated, the delivery log hands ZHEP email (with its HTML and unsubscribe link)
    and SMS; the notice's id is the key, so a retried delivery is one message."""
    messaging = _messaging(zhep)
    email = OutgoingMessage(
        Channel.EMAIL,
        "ama@example.com",
        "Your streak",
        "Six days!",
        html="<p>Six days!</p>",
        unsubscribe=Unsubscribe("https://gym.example.com/unsubscribe/abc"),
        key="notice-1",
    )
    first = messaging.deliver(email)
    again = messaging.deliver(email)
    assert first.provider_id and first.provider_id == again.provider_id
    sms = OutgoingMessage(Channel.SMS, "+233201234567", "", "Class at 6", key="notice-2")
    messaging.deliver(sms)
    sent = {key: body for (_, key), (body, _) in zhep.state.messages.items()}
    assert set(sent) == {"notice-1", "notice-2"}
    assert sent["notice-1"]["html"] == "<p>Six days!</p>"
    assert sent["notice-1"]["unsubscribe_url"] == "https://gym.example.com/unsubscribe/abc"
    assert sent["notice-2"]["recipient"] == {"phone": "+233201234567"}
    assert "html" not in sent["notice-2"]


def test_a_refusal_is_permanent_and_no_answer_is_not(zhep: RunningZhep) -> None:
    messaging = _messaging(zhep, timeout=0.3)
    bad_number = OutgoingMessage(Channel.SMS, "0201234567", "", "Hi", key="n-3")
    with pytest.raises(DeliveryFailed) as refused:
        messaging.deliver(bad_number)
    assert refused.value.permanent
    # ZHEP refused it against its contract (a number without its country code).
    assert [v for v in zhep.state.violations if "phone" in v]
    zhep.state.violations.clear()
    zhep.state.fail(503, times=5)
    with pytest.raises(DeliveryFailed) as unanswered:
        messaging.deliver(OutgoingMessage(Channel.SMS, "+233201234567", "", "Hi", key="n-4"))
    assert not unanswered.value.permanent
