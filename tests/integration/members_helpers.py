"""Helpers for the members tests: creating members, images, and an SMTP server on loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import cv2
import numpy as np
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from server.config import Settings
from tests.integration.helpers import Api, Tenant
from tests.ports import free_port

MEMBER_PASSWORD = "member password 123"


def create_member(
    api: Api, tenant: Tenant, first: str = "Ama", last: str = "Mensah", **fields: Any
) -> dict[str, Any]:
    response = api.client.post(
        "/members", json={"first_name": first, "last_name": last, **fields}, headers=tenant.headers
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def image_bytes(extension: str) -> bytes:
    """A real 8×8 image, encoded by OpenCV (".png" or ".jpg")."""
    ok, encoded = cv2.imencode(extension, np.full((8, 8, 3), 200, dtype=np.uint8))
    assert ok
    return bytes(encoded.tobytes())


@dataclass
class SmtpSink:
    """An aiosmtpd handler that keeps every message it receives."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        data = content if isinstance(content, bytes) else str(content).encode()
        message = message_from_bytes(data, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@contextmanager
def smtp_server() -> Iterator[tuple[SmtpSink, int]]:
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def token_in(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"\bev\.[0-9a-f]{32}\.[0-9a-f]{32}\.[A-Za-z0-9_\-]+", body.get_content())
    assert found, body.get_content()
    return found.group(0)


def password_token_in(message: EmailMessage) -> str:
    """The one-time code of a password reset or invitation email."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"\bpw\.[0-9a-f]{32}\.[0-9a-f]{32}\.[A-Za-z0-9_\-]+", body.get_content())
    assert found, body.get_content()
    return found.group(0)


def mailing_to(settings: Settings, smtp: tuple[SmtpSink, int], **extra: Any) -> Settings:
    """``settings`` sending email to the loopback SMTP server (for a module's ``settings``
    fixture)."""
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": smtp[1], **extra})
