"""Where a plan's visit-limit period starts, in the location's time zone."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.clock import ensure_utc
from shared.enums import LimitPeriod


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")  # an unknown zone must not stop the door; UTC is visible


def period_start(at: datetime, period: LimitPeriod, timezone: str) -> datetime:
    """The UTC instant the current week (from Monday) or calendar month began locally."""
    tz = zone(timezone)
    local = ensure_utc(at).astimezone(tz)
    day = local.date()
    if period is LimitPeriod.WEEK:
        day -= timedelta(days=day.weekday())
    else:
        day = day.replace(day=1)
    return ensure_utc(datetime.combine(day, time(0), tzinfo=tz))
