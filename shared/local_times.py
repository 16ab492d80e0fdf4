"""A moment as a person at a location reads it: its wall-clock time there, with the offset,
next to the UTC one every answer also carries."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local(at: datetime, timezone: str) -> datetime:
    """``at`` (aware) in ``timezone``: serialised as e.g. ``2026-03-29T07:00:00+01:00``."""
    return at.astimezone(zone(timezone))


def local_or_none(at: datetime | None, timezone: str | None) -> datetime | None:
    return None if at is None or timezone is None else local(at, timezone)
