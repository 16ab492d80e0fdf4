"""One-time codes sent by email (password links, address confirmations): the code goes in
the mail, only a hash of its secret is stored. The code names its tenant and its row, so
the row is found without searching, and the secret is compared with the hash."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def new_one_time_token(prefix: str, tenant_id: uuid.UUID, row_id: uuid.UUID) -> tuple[str, str]:
    """A one-time token to put in an email, and the hash to store in its place."""
    secret = secrets.token_urlsafe(32)
    return f"{prefix}.{tenant_id.hex}.{row_id.hex}.{secret}", sha256(secret)


def parse_one_time_token(prefix: str, token: str) -> tuple[uuid.UUID, uuid.UUID, str]:
    """(tenant id, row id, secret); ValueError when it is not such a token."""
    found, tenant_hex, row_hex, secret = token.strip().split(".", 3)
    if found != prefix or not secret:
        raise ValueError(f"not a {prefix} token")
    return uuid.UUID(hex=tenant_hex), uuid.UUID(hex=row_hex), secret


def valid_for(ttl: timedelta) -> str:
    """How long a link lasts, in an email's words: "2 hours", "14 days"."""
    hours = int(ttl.total_seconds() // 3600)
    return f"{hours} hours" if hours < 48 else f"{hours // 24} days"
