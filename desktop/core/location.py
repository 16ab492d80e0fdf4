"""What the front desk shows about its location, computed in the location's own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop.core.store import CachedLocation
from shared.clock import ensure_utc
from shared.closures import ClosureDays, closure_on, day_notice, hours_on
from shared.opening_hours import OpeningHours, OpeningInterval


@dataclass(frozen=True)
class LocationView:
    name: str
    tenant_name: str
    timezone: str
    address: str | None
    opening_hours: OpeningHours
    closures: tuple[ClosureDays, ...] = ()

    @classmethod
    def from_cache(cls, cached: CachedLocation) -> LocationView:
        return cls(
            name=cached.name,
            tenant_name=cached.tenant_name,
            timezone=cached.timezone,
            address=cached.address,
            opening_hours=cached.opening_hours,
            closures=cached.closures,
        )

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            # An unknown zone must not take the front desk down; UTC is wrong but visible.
            return ZoneInfo("UTC")

    def local_time(self, now: datetime) -> datetime:
        return ensure_utc(now).astimezone(self.zone)

    def _intervals(self, local: datetime) -> list[OpeningInterval]:
        """Today's opening intervals, closures and special hours applied."""
        return hours_on(self.opening_hours, self.closures, local.date())

    def is_open(self, now: datetime) -> bool:
        local = self.local_time(now)
        return any(i.contains(local.time()) for i in self._intervals(local))

    def today_hours(self, now: datetime) -> str:
        """Today's hours in local time, e.g. "06:00-22:00" (en dash) or "Closed"."""
        local = self.local_time(now)
        if closure_on(self.closures, local.date()) is None:
            return self.opening_hours.describe_day(_weekday(local))
        intervals = self._intervals(local)
        return ", ".join(f"{i.opens}–{i.closes}" for i in intervals) or "Closed"

    def today_notice(self, now: datetime) -> str | None:
        """ "Closed today: Christmas", "Today's hours 10:00–14:00 (Christmas Eve)", or None
        on an ordinary day."""
        return day_notice(self.closures, self.local_time(now).date())

    def open_status(self, now: datetime) -> str:
        """ "Open now · until 22:00", "Closed now · opens 17:00" or "Closed today"."""
        local = self.local_time(now)
        intervals = self._intervals(local)
        minute = local.hour * 60 + local.minute
        for interval in intervals:
            if interval.contains(local.time()):
                return f"Open now · until {interval.closes}"
        later = [i for i in intervals if _minutes(i.opens) > minute]
        if later:
            return f"Closed now · opens {min(later, key=lambda i: _minutes(i.opens)).opens}"
        return "Closed today" if not intervals else "Closed now"

    def week(self, now: datetime | None = None) -> list[tuple[str, str]]:
        """(day, hours) Monday to Sunday; with ``now``, today's row says what today's
        closure or special hours make of it."""
        week = self.opening_hours.describe_week()
        if now is None:
            return week
        local = self.local_time(now)
        if closure_on(self.closures, local.date()) is None:
            return week
        today = local.weekday()
        week[today] = (week[today][0], self.today_hours(now))
        return week

    def today_name(self, now: datetime) -> str:
        return self.local_time(now).strftime("%A")


def _weekday(local: datetime) -> str:
    return ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[local.weekday()]


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def describe_age(then: datetime | None, now: datetime) -> str:
    """How long ago ``then`` was, for people: "never", "just now", "2 min ago", "3 h ago"."""
    if then is None:
        return "never"
    seconds = (ensure_utc(now) - ensure_utc(then)) / timedelta(seconds=1)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return f"{days} day ago" if days == 1 else f"{days} days ago"
