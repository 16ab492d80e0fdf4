"""Where a plan's visit-limit period starts, in the location's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.eligibility import period_bounds
from shared.enums import LimitPeriod


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")  # an unknown zone must not stop the door; UTC is visible


def period_start(at: datetime, period: LimitPeriod, timezone: str) -> datetime:
    """The UTC instant the current week (from Monday) or calendar month began locally."""
    return period_bounds(at, zone(timezone), period)[0]
