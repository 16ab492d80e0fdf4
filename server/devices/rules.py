"""Enrolment codes and device secrets: formats people can type and servers can route."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

# Crockford's base32: no I, L, O or U, so a code read aloud or off a screen is not misread.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})
CODE_GROUPS, GROUP_LENGTH = 3, 4


def new_enrolment_code(tenant_slug: str) -> tuple[str, str]:
    """A one-time code like ``demo-fitness.K7PQ-2MXA-9TZR`` and the hash kept of it."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_GROUPS * GROUP_LENGTH))
    groups = [chars[i : i + GROUP_LENGTH] for i in range(0, len(chars), GROUP_LENGTH)]
    return f"{tenant_slug}.{'-'.join(groups)}", code_hash(chars)


def code_hash(secret_part: str) -> str:
    return hashlib.sha256(secret_part.encode()).hexdigest()


def parse_enrolment_code(code: str) -> tuple[str, str] | None:
    """(tenant slug, normalised secret part), or None when the text cannot be a code."""
    slug, _, secret = code.strip().rpartition(".")
    normalised = secret.upper().replace("-", "").replace(" ", "").translate(_CONFUSABLE)
    if not slug or len(normalised) != CODE_GROUPS * GROUP_LENGTH:
        return None
    if any(char not in _ALPHABET for char in normalised):
        return None
    return slug.lower(), normalised


def new_device_secret(tenant_id: uuid.UUID) -> tuple[str, str]:
    """A device secret that names its tenant, and the hash kept of it."""
    secret = secrets.token_urlsafe(32)
    return f"zd.{tenant_id.hex}.{secret}", hashlib.sha256(secret.encode()).hexdigest()


def parse_device_secret(text: str) -> tuple[uuid.UUID, str] | None:
    """(tenant id, hash of the secret part), or None when malformed."""
    try:
        prefix, tenant_hex, secret = text.split(".", 2)
        if prefix != "zd" or not secret:
            return None
        return uuid.UUID(hex=tenant_hex), hashlib.sha256(secret.encode()).hexdigest()
    except ValueError:
        return None


#: How often a syncing kiosk's time of contact is written: often enough for Today to tell
#: a stopped kiosk within a couple of minutes, rarely enough to keep pulls read-only.
CONTACT_EVERY = timedelta(minutes=1)
#: How far the oldest pending change's time may drift (the kiosk reports an age, which
#: the network's delay blurs) before it is written again.
OLDEST_PENDING_SLACK = timedelta(minutes=1)


@dataclass(frozen=True)
class Contact:
    """What the server keeps of a kiosk's contact: its time, and its outbox as reported."""

    last_seen_at: datetime | None
    pending_count: int | None
    oldest_pending_at: datetime | None


def next_contact(
    kept: Contact, now: datetime, pending: int | None, oldest_age_seconds: float | None
) -> Contact | None:
    """What to keep after a pull at ``now`` that reported ``pending`` (None: nothing
    reported, an older kiosk); None when what is kept is good enough (nothing to write)."""
    last_seen = kept.last_seen_at
    stale = last_seen is None or now - last_seen >= CONTACT_EVERY
    count, oldest = kept.pending_count, kept.oldest_pending_at
    if pending is not None:
        reported = (
            None
            if pending == 0 or oldest_age_seconds is None
            else now - timedelta(seconds=oldest_age_seconds)
        )
        moved = (reported is None) != (oldest is None) or (
            reported is not None
            and oldest is not None
            and abs(reported - oldest) > OLDEST_PENDING_SLACK
        )
        if pending != count or moved:
            count, oldest = pending, reported
    if not stale and (count, oldest) == (kept.pending_count, kept.oldest_pending_at):
        return None
    return Contact(now if stale else last_seen, count, oldest)
