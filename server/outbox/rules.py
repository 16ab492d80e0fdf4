"""Outbox rules as plain functions: which events a subscription takes, when a failed
delivery is tried again, which URLs may receive events, what a secret looks like."""

from __future__ import annotations

import base64
import ipaddress
import random
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

#: Seconds to wait after the 1st, 2nd, … failed attempt. Fifteen attempts spread over a
#: little more than three days (75.7 hours before jitter): a receiver down for a day, or
#: a long weekend, loses nothing. After the last one the delivery is dead-lettered (and can
#: be replayed).
RETRY_DELAYS: tuple[int, ...] = (
    5,
    30,
    120,
    600,
    1800,
    3600,
    7200,
    14400,
    28800,
    43200,
    43200,
    43200,
    43200,
    43200,
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
#: Up to this fraction is added to each wait, so receivers coming back are not hit by every
#: sender at the same second. Only added: the schedule never gets shorter than documented.
JITTER = 0.2

SINK_PREFIX, SUBSCRIPTION_PREFIX = "sink:", "sub:"
SECRET_PREFIX = "whsec_"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def retry_at(attempts: int, now: datetime, rand: random.Random | None = None) -> datetime | None:
    """When to try again after ``attempts`` failed attempts; None: dead-letter it."""
    if attempts >= MAX_ATTEMPTS:
        return None
    delay = RETRY_DELAYS[attempts - 1]
    jitter = (rand or random).random() * JITTER
    return now + timedelta(seconds=delay * (1 + jitter))


def total_schedule() -> timedelta:
    """The shortest time from the first attempt to the dead letter."""
    return timedelta(seconds=sum(RETRY_DELAYS))


#: Events that carry a member's health data (a screening's outcome): they stay on the server
#: (and its own sinks), never sent to a tenant's webhook endpoints, whatever they ask for.
HEALTH_EVENT_PREFIXES = ("screening.",)


def matches(event_types: Sequence[str], name: str) -> bool:
    """``*`` takes everything, ``checkin.*`` every ``checkin.`` event, else exact names;
    never a health event."""
    if name.startswith(HEALTH_EVENT_PREFIXES):
        return False
    for wanted in event_types:
        if wanted == "*" or wanted == name:
            return True
        if wanted.endswith(".*") and name.startswith(wanted[:-1]):
            return True
    return False


def event_type_problem(value: str) -> str | None:
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789_.*")
    if not value or len(value) > 100 or not set(value) <= allowed:
        return (
            f"{value!r}: an event type is a name like checkin.recorded, a prefix like "
            "checkin.* or *"
        )
    if "*" in value and not (value == "*" or (value.endswith(".*") and value.count("*") == 1)):
        return f"{value!r}: * stands alone or ends a prefix (checkin.*)"
    return None


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str) -> str | None:
    """None if events may go to ``url``: https anywhere, plain http only to this machine
    (loopback: a local relay or a test receiver)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return "the URL is not valid"
    if parts.scheme not in ("https", "http") or not host:
        return "the URL must be https://host/…"
    if parts.username or parts.password:
        return "the URL may not carry a user name or password: the signature authenticates"
    if parts.scheme == "http" and not _is_loopback(host):
        return "plain http is only allowed to this machine (localhost): use https"
    return None


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes, base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def subscription_target(subscription_id: object) -> str:
    return f"{SUBSCRIPTION_PREFIX}{subscription_id}"


def sink_target(name: str) -> str:
    return f"{SINK_PREFIX}{name}"
