"""API schemas of the delivery log, a tenant's notice settings and members' channels."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, HttpUrl

from shared.inputs import InputModel
from shared.quiet_hours import parse_clock


def _clock_text(value: str) -> str:
    parse_clock(value)
    return value


#: A local time of day, "HH:MM" on a 24-hour clock.
Clock = Annotated[str, Field(min_length=5, max_length=5), AfterValidator(_clock_text)]

MemberChannel = Literal["email", "sms", "whatsapp"]
#: Staff events a tenant may have posted to its staff channels: a class cancelled, a place
#: of a full class given to the first of its waitlist, a refund the payment provider
#: declined, a webhook subscription's events given up on (dead-lettered).
StaffEvent = Literal[
    "session.cancelled", "booking.promoted", "refund.declined", "webhook.dead_lettered"
]
STAFF_EVENTS: tuple[str, ...] = (
    "session.cancelled",
    "booking.promoted",
    "refund.declined",
    "webhook.dead_lettered",
)


class NoticeRead(BaseModel):
    """One message in the delivery log."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    channel: str
    kind: str
    topic: str
    #: The recipient on the channel (for staff channels: the channel's name).
    to_email: str
    subject: str
    member_id: uuid.UUID | None
    #: queued (waiting or to be retried), sent, failed (for good).
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None
    provider_id: str | None
    provider_status: str | None
    #: The member's name, if it is for a member still on the books.
    member_name: str | None = None


class NoticePage(BaseModel):
    items: list[NoticeRead]
    next_offset: int | None


class NoticeSettingsRead(BaseModel):
    sender_name: str | None
    sender_email: str | None
    quiet_start: str
    quiet_end: str
    slack_configured: bool
    teams_configured: bool
    staff_events: list[str]


_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def _https(value: HttpUrl | None) -> HttpUrl | None:
    """Webhooks carry staff messages: https, except to this machine (a local relay)."""
    if value is not None and value.scheme != "https" and value.host not in _LOOPBACK:
        raise ValueError("a webhook URL must be https")
    return value


WebhookUrl = Annotated[HttpUrl | None, AfterValidator(_https)]


class NoticeSettingsWrite(InputModel):
    """The whole of a tenant's notice settings. Webhook URLs are write-only: leave one out
    (or null) to keep it, send ``clear_slack`` / ``clear_teams`` to remove it."""

    sender_name: str | None = Field(None, min_length=1, max_length=100)
    sender_email: EmailStr | None = None
    quiet_start: Clock = "21:00"
    quiet_end: Clock = "08:00"
    slack_webhook_url: WebhookUrl = None
    teams_webhook_url: WebhookUrl = None
    clear_slack: bool = False
    clear_teams: bool = False
    staff_events: list[StaffEvent] = Field(default_factory=list, max_length=10)


class ChannelsRead(BaseModel):
    """The channels one gets each kind on (transactional mail always comes by email)."""

    reminder: list[MemberChannel]
    nudge: list[MemberChannel]
    marketing: list[MemberChannel]
    #: Whether one's phone number can take SMS/WhatsApp (it needs a +country code).
    phone_ok: bool


def _email_only() -> list[MemberChannel]:
    return ["email"]


class ChannelsWrite(InputModel):
    reminder: list[MemberChannel] = Field(default_factory=_email_only, max_length=3)
    nudge: list[MemberChannel] = Field(default_factory=_email_only, max_length=3)
    marketing: list[MemberChannel] = Field(default_factory=_email_only, max_length=3)


class UnsubscribeRead(BaseModel):
    kind: str
    unsubscribed: bool


class StatusCallbackRead(BaseModel):
    recorded: bool
