"""How values are written to the kiosk's SQLite columns and read back.

Timestamps are stored as fixed-width UTC text (always with microseconds), so that SQL can
compare and order them as strings; reading accepts any ISO 8601 text (older rows, and
times the server sent) and answers an aware UTC datetime.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from shared.clock import ensure_utc


def encode_time(value: datetime) -> str:
    return ensure_utc(value).isoformat(timespec="microseconds")


def decode_time(text: str) -> datetime:
    return ensure_utc(datetime.fromisoformat(text))


def encode_opt_time(value: datetime | None) -> str | None:
    return None if value is None else encode_time(value)


def decode_opt_time(text: str | None) -> datetime | None:
    return None if text is None else decode_time(text)


def opt_str(value: object | None) -> str | None:
    return None if value is None else str(value)


def opt_uuid(value: str | None) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(value)


def opt_date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
