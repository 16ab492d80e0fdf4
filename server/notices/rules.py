"""Pure rules of messages: kinds, which channels a member gets for a kind, when a message
may go (quiet hours), retry backoff, the signed one-click unsubscribe token, and what the
delivery log is narrowed to."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from server.ports.notifications import MEMBER_CHANNELS, Channel
from shared.quiet_hours import QuietHours


class Kind(StrEnum):
    #: Receipts, password resets, booking confirmations: always by email, never held.
    TRANSACTIONAL = "transactional"
    REMINDER = "reminder"
    NUDGE = "nudge"
    MARKETING = "marketing"
    #: Posts to the tenant's staff channels (Slack, Teams): never held.
    STAFF = "staff"


#: The kinds a member chooses channels for, may unsubscribe from, and that wait out quiet
#: hours.
CHOOSABLE = (Kind.REMINDER, Kind.NUDGE, Kind.MARKETING)
DEFAULT_CHANNELS: tuple[Channel, ...] = (Channel.EMAIL,)

MAX_ATTEMPTS = 8


def channels_for(kind: Kind, choices: Mapping[str, Sequence[str]] | None) -> list[Channel]:
    """The channels a member gets ``kind`` on: transactional always by email; the others
    as the member chose (email until they choose)."""
    if kind not in CHOOSABLE:
        return [Channel.EMAIL]
    if choices is None or kind.value not in choices:
        return list(DEFAULT_CHANNELS)
    chosen = set(choices[kind.value])
    return [c for c in MEMBER_CHANNELS if c.value in chosen]


def release_at(kind: Kind, due: datetime, quiet: QuietHours, zone: ZoneInfo) -> datetime:
    """When a message of ``kind`` due at ``due`` may go: what a member chose held to the end
    of their quiet hours (on their own clock, so across a daylight-saving change too)."""
    if kind not in CHOOSABLE:
        return due
    return quiet.release_at(due, zone)


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """Wait after the ``attempts``-th failure: 30 s, 1 min, 2 min, … capped at one hour; at
    least what the provider asked for."""
    wait = min(3600, 30 * 2 ** max(0, attempts - 1))
    if retry_after is not None:
        wait = max(wait, int(retry_after + 0.999))
    return timedelta(seconds=wait)


# --- one-click unsubscribe -----------------------------------------------------------------

_TOKEN_CONTEXT = b"zmos unsubscribe v1\x00"
_SIGNATURE_BYTES = 16
_KIND_CODES = {kind: i for i, kind in enumerate(CHOOSABLE)}


@dataclass(frozen=True, slots=True)
class UnsubscribeRequest:
    tenant_id: uuid.UUID
    member_id: uuid.UUID
    kind: Kind


def _mac(secret: str, payload: bytes) -> bytes:
    key = hashlib.sha256(_TOKEN_CONTEXT + secret.encode()).digest()
    return hmac.new(key, _TOKEN_CONTEXT + payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def unsubscribe_token(secret: str, request: UnsubscribeRequest) -> str:
    payload = request.tenant_id.bytes + request.member_id.bytes + bytes([_KIND_CODES[request.kind]])
    raw = payload + _mac(secret, payload)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_unsubscribe_token(secret: str, token: str) -> UnsubscribeRequest | None:
    """What a token asks, or None if it is not one this server signed."""
    if len(token) > 80:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 33 + _SIGNATURE_BYTES:
        return None
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != token:
        return None  # another spelling of a token (unused low bits): one token, one string
    payload, signature = raw[:33], raw[33:]
    if not hmac.compare_digest(signature, _mac(secret, payload)) or payload[32] >= len(CHOOSABLE):
        return None
    return UnsubscribeRequest(
        uuid.UUID(bytes=payload[:16]), uuid.UUID(bytes=payload[16:32]), CHOOSABLE[payload[32]]
    )


def without_channel(
    choices: Mapping[str, Sequence[str]] | None, kind: Kind, channel: Channel
) -> dict[str, list[str]]:
    """``choices`` with ``channel`` removed from ``kind`` (what an unsubscribe does)."""
    updated = {k: list(v) for k, v in (choices or {}).items()}
    current = [c.value for c in channels_for(kind, choices)]
    updated[kind.value] = [c for c in current if c != channel.value]
    return updated


def e164(phone: str | None) -> str | None:
    """A member's stored phone (digits, a leading + kept) as E.164, or None when it has no
    country code (a number typed at the desk without +: which country is unknown)."""
    if not phone or not phone.startswith("+"):
        return None
    digits = phone[1:]
    if not digits.isdigit() or not 8 <= len(digits) <= 15 or digits.startswith("0"):
        return None
    return phone


@dataclass(frozen=True)
class NoticeFilters:
    """What the delivery log is narrowed to; days are the tenant's local days (its first
    location's), both inclusive. ``search``: part of the recipient's address, or every word
    of the member's name."""

    channel: str | None = None
    status: str | None = None
    member_id: uuid.UUID | None = None
    search: str | None = None
    from_day: date | None = None
    to_day: date | None = None
