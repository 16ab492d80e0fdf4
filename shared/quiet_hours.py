"""Quiet hours: a wall-clock span on a person's own clock in which only what cannot wait
is sent. A daylight-saving change moves the instant they end, never the time on the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_QUIET_START = time(21, 0)
DEFAULT_QUIET_END = time(8, 0)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local wall-clock span [start, end); start after end runs over midnight; equal
    times mean no quiet hours at all."""

    start: time = DEFAULT_QUIET_START
    end: time = DEFAULT_QUIET_END

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def quiet_at(self, at: datetime, zone: ZoneInfo) -> bool:
        return self.contains(at.astimezone(zone).time().replace(tzinfo=None))

    def next_end(self, at: datetime, zone: ZoneInfo) -> datetime:
        """The first instant after ``at`` at which the member's clock shows ``end``, found
        on the calendar (the local date, then the next) rather than by adding 24 hours."""
        local_day = at.astimezone(zone).date()
        for offset in range(3):
            day = local_day + timedelta(days=offset)
            candidate = datetime.combine(day, self.end, tzinfo=zone)
            if candidate > at:
                return candidate.astimezone(at.tzinfo)
        raise AssertionError("a wall-clock time recurs within two days")

    def release_at(self, at: datetime, zone: ZoneInfo) -> datetime:
        """When something due at ``at`` may go: ``at`` itself, or the end of the quiet
        hours it falls in."""
        return self.next_end(at, zone) if self.quiet_at(at, zone) else at


def parse_clock(text: str) -> time:
    """``HH:MM`` on a 24-hour clock; anything else is a ValueError."""
    parts = text.split(":")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError(f"{text!r} is not a time of day as HH:MM")
    hour, minute = int(parts[0]), int(parts[1])
    if hour > 23 or minute > 59:
        raise ValueError(f"{text!r} is not a time of day (00:00 to 23:59)")
    return time(hour, minute)


def clock(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"
