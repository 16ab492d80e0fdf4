"""NotificationService: telling people things. Standalone: SMTP, an SMS/WhatsApp provider,
Slack and Teams webhooks; integrated: ZHEP messaging.

Two shapes: ``Notification`` is a plain email sent at once (password resets, receipts);
``OutgoingMessage`` names its channel and recipient and is what the delivery log
(``server.notices``) hands to ``Messaging`` when it sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class Attachment:
    filename: str
    #: e.g. "application/pdf"
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Notification:
    to_email: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()


class NotificationService(Protocol):
    def send(self, notification: Notification) -> None: ...


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    #: Staff channels: a tenant's incoming webhooks.
    SLACK = "slack"
    TEAMS = "teams"


#: Channels a member may choose for what is not transactional.
MEMBER_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP)
STAFF_CHANNELS = (Channel.SLACK, Channel.TEAMS)


@dataclass(frozen=True)
class Sender:
    name: str
    address: str


@dataclass(frozen=True)
class Unsubscribe:
    """RFC 8058 one-click unsubscribe: an HTTPS link that takes a POST, and a mailto."""

    url: str
    mailto: str | None = None


@dataclass(frozen=True)
class OutgoingMessage:
    channel: Channel
    #: An email address, an E.164 phone number, or (Slack, Teams) the webhook URL.
    to: str
    subject: str
    text: str
    html: str | None = None
    #: Email only: the tenant's sender; None is the server's default.
    sender: Sender | None = None
    #: Email only, marketing and engagement mail: the List-Unsubscribe headers.
    unsubscribe: Unsubscribe | None = None
    #: SMS/WhatsApp: where the provider posts delivery status updates.
    status_callback: str | None = None
    #: The message's own id (its notice's): a provider that deduplicates takes it as the
    #: idempotency key, so a retried delivery is sent once.
    key: str | None = None


@dataclass(frozen=True)
class Delivery:
    """A provider took the message: its id for it (if any) and the status it reported."""

    provider_id: str | None = None
    status: str = "sent"


class DeliveryFailed(Exception):
    """The message was not taken. ``permanent``: sending it again will not help (a 4xx: bad
    number, bad payload, unknown webhook); else a later try may (5xx, timeout, 429).
    ``retry_after``: seconds the provider asked us to wait."""

    def __init__(self, message: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


class Messaging(Protocol):
    """Sends a message on its channel; raises ``DeliveryFailed``."""

    def deliver(self, message: OutgoingMessage) -> Delivery: ...

    def configured(self, channel: Channel) -> bool:
        """Whether this process can send on ``channel`` at all."""
        ...

    def verify_status_callback(self, url: str, params: dict[str, str], signature: str) -> bool:
        """Whether a provider's delivery status callback to ``url`` is genuine."""
        ...
