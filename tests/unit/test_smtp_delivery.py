"""The SMTP adapter against a real aiosmtpd server on loopback: what it sends (multipart,
sender, RFC 8058 headers) and how the server's refusals map to permanent or transient."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from server.adapters.smtp_notifications import SmtpNotifications
from server.ports.notifications import (
    Channel,
    DeliveryFailed,
    OutgoingMessage,
    Sender,
    Unsubscribe,
)
from tests.ports import free_port


@dataclass
class Refusing:
    """Accepts mail, or answers RCPT with ``rcpt_reply`` (e.g. 550 or 451)."""

    rcpt_reply: str | None = None
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@contextmanager
def smtp(handler: Refusing) -> Iterator[int]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


MESSAGE = OutgoingMessage(
    Channel.EMAIL,
    "ama@example.com",
    "Your streak",
    "Hello Ama",
    html="<p>Hello Ama</p>",
    sender=Sender("Osu Fitness", "hello@osu.example"),
    unsubscribe=Unsubscribe("https://gym.example.com/unsubscribe/abc", "mailto:u@osu.example"),
)


def test_a_nudge_goes_as_multipart_with_one_click_headers() -> None:
    handler = Refusing()
    with smtp(handler) as port:
        delivery = SmtpNotifications("127.0.0.1", port, "ZMOS <no-reply@zmos.local>").deliver(
            MESSAGE
        )
    [mail] = handler.messages
    assert delivery.provider_id == mail["Message-ID"]
    assert mail["From"] == "Osu Fitness <hello@osu.example>"
    assert mail.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in mail.iter_parts()]
    assert parts == ["text/plain", "text/html"]  # the richest part last
    # Folded (it is long); unfolded, the two links.
    assert str(mail["List-Unsubscribe"]).strip() == (
        "<https://gym.example.com/unsubscribe/abc>, <mailto:u@osu.example>"
    )
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize(
    ("reply", "permanent"), [("550 5.1.1 no such user", True), ("451 4.3.0 try again later", False)]
)
def test_refusals_are_permanent_or_transient_by_their_code(reply: str, permanent: bool) -> None:
    with smtp(Refusing(rcpt_reply=reply)) as port:
        adapter = SmtpNotifications("127.0.0.1", port, "ZMOS <no-reply@zmos.local>")
        with pytest.raises(DeliveryFailed) as failed:
            adapter.deliver(MESSAGE)
    assert failed.value.permanent is permanent
    # What staff read in the delivery log: who was refused, and the server's own words.
    assert str(failed.value) == f"SMTP: {MESSAGE.to} refused: {reply}"


def test_no_server_is_transient() -> None:
    adapter = SmtpNotifications("127.0.0.1", free_port(), "x@zmos.local", timeout=1)
    with pytest.raises(DeliveryFailed) as failed:
        adapter.deliver(MESSAGE)
    assert failed.value.permanent is False
