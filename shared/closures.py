"""Holiday closures and special hours of a location, and what they mean for a day: shared
by the server (warnings, public browsing) and the kiosk (its header).

A closure covers ``starts_on`` to ``ends_on`` (both included, local dates); with ``hours``
empty the location is closed those days, otherwise those are its hours instead of the
weekly ones.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from pydantic import BaseModel, Field

from shared.memberships import human_date
from shared.opening_hours import WEEKDAY_NAMES, WEEKDAYS, OpeningHours, OpeningInterval


class ClosureDays(BaseModel):
    """A closure as both sides hold it."""

    id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date
    #: Empty: closed all day. Otherwise the special hours of each of those days.
    hours: list[OpeningInterval] = Field(default_factory=list)

    @property
    def closed(self) -> bool:
        return not self.hours

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def _describe(intervals: Sequence[OpeningInterval]) -> str:
    return ", ".join(f"{i.opens}–{i.closes}" for i in intervals)


def closure_on(closures: Iterable[ClosureDays], day: date) -> ClosureDays | None:
    """The closure that decides ``day``: the shortest one covering it (a special day inside
    a longer holiday wins), a full closure before special hours on a tie."""
    covering = [c for c in closures if c.covers(day)]
    if not covering:
        return None
    return min(covering, key=lambda c: (c.ends_on - c.starts_on, not c.closed, str(c.id)))


def hours_on(
    weekly: OpeningHours, closures: Iterable[ClosureDays], day: date
) -> list[OpeningInterval]:
    """The opening intervals of ``day``, closures and special hours applied."""
    closure = closure_on(closures, day)
    if closure is not None:
        return list(closure.hours)
    return weekly.day(WEEKDAYS[day.weekday()])


def day_notice(closures: Iterable[ClosureDays], day: date) -> str | None:
    """What the front desk shows for ``day``: "Closed today: Christmas" or "Today's hours
    10:00–14:00 (Christmas Eve)"; None on an ordinary day."""
    closure = closure_on(closures, day)
    if closure is None:
        return None
    if closure.closed:
        return f"Closed today: {closure.name}"
    return f"Today's hours {_describe(closure.hours)} ({closure.name})"


def _has_hours(weekly: OpeningHours) -> bool:
    return any(weekly.day(d) for d in WEEKDAYS)


def hours_warning(
    weekly: OpeningHours,
    closures: Iterable[ClosureDays],
    local_start: datetime,
    local_end: datetime,
) -> str | None:
    """Why a class from ``local_start`` to ``local_end`` (the location's wall-clock time)
    falls outside its opening hours, or None. A location that never set weekly hours has
    nothing to compare with, bar its closures."""
    day = local_start.date()
    closure = closure_on(closures, day)
    when = f"{WEEKDAY_NAMES[WEEKDAYS[day.weekday()]]} {human_date(day)}"
    if closure is not None and closure.closed:
        return f"the location is closed on {when} ({closure.name})"
    if closure is None and not _has_hours(weekly):
        return None
    intervals = hours_on(weekly, closures, day)
    start = local_start.hour * 60 + local_start.minute
    end = start + max(0, int((local_end - local_start).total_seconds() // 60))
    if any(_minute(i.opens) <= start and end <= _minute(i.closes) for i in intervals):
        return None
    kind = f"special hours ({closure.name})" if closure is not None else "opening hours"
    hours = _describe(intervals) if intervals else "closed"
    return (
        f"{local_start:%H:%M}–{local_end:%H:%M} on {when} is outside the location's {kind}: {hours}"
    )


def _minute(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)
