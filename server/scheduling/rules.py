"""Pure scheduling rules: local wall-clock times across daylight-saving changes.

A schedule says "Mon/Wed/Fri 07:00 in Europe/London"; each occurrence is 07:00 local on its
own day, whatever the UTC offset that day. Two days a year need a decision:

* **Spring forward (a gap).** A local time inside the gap does not exist that day (01:30 in
  London on the last Sunday of March). A schedule's ``on_missing_time`` decides: ``shift``
  (the default) starts the class at the first valid minute after the gap (02:00 BST, the very
  instant of the change), ``skip`` leaves that day out. A single session at a missing time is
  refused (:class:`MissingLocalTime`), naming the date, time and zone.
* **Fall back (an overlap).** A local time that happens twice (01:30 in London on the last
  Sunday of October) means its first occurrence (``fold=0``, still on summer time), for
  schedules and single sessions alike.

Durations are real elapsed minutes: a 60-minute class at 00:30 on the spring-forward day
ends at 02:30 local time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

#: A series may span at most this many days, first and last day included.
MAX_SERIES_DAYS = 366
#: The longest gap any zone has had (Samoa skipped a whole day in 2011).
_LONGEST_GAP = timedelta(hours=25)


class OnMissingTime(StrEnum):
    """What a schedule does on a day its local start time does not exist."""

    SHIFT = "shift"
    SKIP = "skip"


class MissingLocalTime(ValueError):
    """The local time does not exist on that day in that zone (a daylight-saving gap)."""

    def __init__(self, day: date, at: time, zone: str) -> None:
        super().__init__(
            f"{at:%H:%M} does not exist on {day.isoformat()} in {zone}: the clocks skip it "
            "(daylight saving); pick a time outside the gap"
        )
        self.day, self.at, self.zone = day, at, zone


@dataclass(frozen=True)
class Occurrence:
    """One instance of a series: its local day, UTC start and end, and whether it was shifted."""

    on: date
    starts_at: datetime
    ends_at: datetime
    shifted: bool = False


def _exists(local: datetime, zone: ZoneInfo) -> bool:
    """Whether this wall-clock reading happens in the zone (round trip through UTC)."""
    back = local.astimezone(UTC).astimezone(zone)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local time; an ambiguous time is its first occurrence.

    Raises :class:`MissingLocalTime` for a time inside a gap.
    """
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=zone)
    if not _exists(local, zone):
        raise MissingLocalTime(day, at, zone.key)
    return local.astimezone(UTC)


def first_valid_after_gap(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The first local minute after ``at`` that exists on ``day``, as a UTC instant.

    Walks the wall clock a minute at a time: gaps are rare and at most a day long.
    """
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0, second=0, microsecond=0))
    for _ in range(int(_LONGEST_GAP / timedelta(minutes=1))):
        local += timedelta(minutes=1)
        candidate = local.replace(tzinfo=zone)
        if _exists(candidate, zone):
            return candidate.astimezone(UTC)
    raise MissingLocalTime(day, at, zone.key)


def resolve(
    day: date, at: time, zone: ZoneInfo, on_missing: OnMissingTime
) -> tuple[datetime, bool] | None:
    """A schedule's start on one day: (UTC start, shifted?), or None when skipped."""
    try:
        return to_utc(day, at, zone), False
    except MissingLocalTime:
        if on_missing is OnMissingTime.SKIP:
            return None
        return first_valid_after_gap(day, at, zone), True


def series_days(
    *,
    weekdays: Iterable[int],
    starts_on: date,
    ends_on: date,
    except_dates: Iterable[date] = (),
) -> list[date]:
    """The local days of a series, in order."""
    wanted = set(weekdays)
    skipped = set(except_dates)
    days, day = [], starts_on
    while day <= ends_on:
        if day.isoweekday() in wanted and day not in skipped:
            days.append(day)
        day += timedelta(days=1)
    return days


def expand(
    *,
    weekdays: Iterable[int],
    local_start: time,
    duration_minutes: int,
    starts_on: date,
    ends_on: date,
    except_dates: Iterable[date] = (),
    zone: str,
    on_missing: OnMissingTime = OnMissingTime.SHIFT,
) -> list[Occurrence]:
    """Every occurrence of a series, with UTC start and end (see the module's rules)."""
    tz = ZoneInfo(zone)
    length = timedelta(minutes=duration_minutes)
    occurrences = []
    for day in series_days(
        weekdays=weekdays, starts_on=starts_on, ends_on=ends_on, except_dates=except_dates
    ):
        resolved = resolve(day, local_start, tz, on_missing)
        if resolved is None:
            continue
        start, shifted = resolved
        occurrences.append(Occurrence(day, start, start + length, shifted))
    return occurrences


def series_problems(
    *,
    weekdays: Sequence[int],
    starts_on: date,
    ends_on: date,
    except_dates: Iterable[date] = (),
) -> list[str]:
    """What is wrong with a series' dates, in words; empty when it is fine."""
    problems = []
    if not weekdays:
        problems.append("weekdays needs at least one day (1 = Monday … 7 = Sunday)")
    bad = sorted({d for d in weekdays if not 1 <= d <= 7})
    if bad:
        problems.append(f"weekdays must be 1 (Monday) to 7 (Sunday), not {bad}")
    if ends_on < starts_on:
        problems.append(
            f"the series ends ({ends_on.isoformat()}) before it starts ({starts_on.isoformat()})"
        )
    elif (ends_on - starts_on).days + 1 > MAX_SERIES_DAYS:
        problems.append(
            f"a series spans at most {MAX_SERIES_DAYS} days; "
            f"{starts_on.isoformat()} to {ends_on.isoformat()} is "
            f"{(ends_on - starts_on).days + 1}"
        )
    return problems


def local_parts(instant: datetime, zone: str) -> tuple[date, time]:
    """The local date and wall-clock time (to the minute) of a UTC instant."""
    local = instant.astimezone(ZoneInfo(zone))
    return local.date(), local.time().replace(second=0, microsecond=0, tzinfo=None, fold=0)
