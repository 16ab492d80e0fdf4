"""Recurring schedules keep their wall-clock time across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from server.scheduling.rules import (
    MAX_SERIES_DAYS,
    MissingLocalTime,
    OnMissingTime,
    expand,
    local_parts,
    series_days,
    series_problems,
    to_utc,
)

LONDON, NEW_YORK = "Europe/London", "America/New_York"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local_times(zone: str, instants: list[datetime]) -> list[str]:
    return [i.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z") for i in instants]


@pytest.mark.parametrize(
    ("zone", "before", "after", "winter_utc", "summer_utc"),
    [
        # London: spring forward 29 March 2026, fall back 25 October 2026.
        (LONDON, date(2026, 3, 23), date(2026, 3, 30), 7, 6),
        # New York: spring forward 8 March 2026, fall back 1 November 2026.
        (NEW_YORK, date(2026, 3, 2), date(2026, 3, 9), 12, 11),
    ],
)
def test_a_seven_oclock_class_stays_at_seven_across_spring_forward(
    zone: str, before: date, after: date, winter_utc: int, summer_utc: int
) -> None:
    found = expand(
        weekdays=[1],
        local_start=time(7, 0),
        duration_minutes=60,
        starts_on=before,
        ends_on=after,
        zone=zone,
    )
    assert [o.on for o in found] == [before, after]
    assert found[0].starts_at == utc(before.year, before.month, before.day, winter_utc)
    assert found[1].starts_at == utc(after.year, after.month, after.day, summer_utc)
    assert [i[11:16] for i in local_times(zone, [o.starts_at for o in found])] == ["07:00"] * 2
    assert all(o.ends_at - o.starts_at == found[0].ends_at - found[0].starts_at for o in found)


@pytest.mark.parametrize(
    ("zone", "summer", "winter"),
    [
        (LONDON, date(2026, 10, 19), date(2026, 10, 26)),
        (NEW_YORK, date(2026, 10, 26), date(2026, 11, 2)),
    ],
)
def test_a_seven_oclock_class_stays_at_seven_across_fall_back(
    zone: str, summer: date, winter: date
) -> None:
    found = expand(
        weekdays=[1],
        local_start=time(7, 0),
        duration_minutes=45,
        starts_on=summer,
        ends_on=winter,
        zone=zone,
    )
    starts = [o.starts_at for o in found]
    assert [s[11:16] for s in local_times(zone, starts)] == ["07:00", "07:00"]
    # One hour more of UTC between them than a plain week: the clocks went back.
    assert (starts[1] - starts[0]).total_seconds() == 7 * 24 * 3600 + 3600


def test_spring_forward_gap_in_london_shifts_to_the_first_valid_minute() -> None:
    found = expand(
        weekdays=[7],
        local_start=time(1, 30),
        duration_minutes=60,
        starts_on=date(2026, 3, 22),
        ends_on=date(2026, 4, 5),
        zone=LONDON,
    )
    assert [o.on for o in found] == [date(2026, 3, 22), date(2026, 3, 29), date(2026, 4, 5)]
    gap_day = found[1]
    assert gap_day.shifted and not found[0].shifted and not found[2].shifted
    # 01:00 UTC is the instant the clocks jump from 01:00 GMT to 02:00 BST.
    assert gap_day.starts_at == utc(2026, 3, 29, 1, 0)
    assert local_times(LONDON, [gap_day.starts_at]) == ["2026-03-29 02:00 BST"]
    assert gap_day.ends_at == utc(2026, 3, 29, 2, 0)
    assert local_times(LONDON, [found[2].starts_at]) == ["2026-04-05 01:30 BST"]


def test_spring_forward_gap_in_new_york_can_skip_the_day() -> None:
    found = expand(
        weekdays=[7],
        local_start=time(2, 30),
        duration_minutes=30,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 15),
        zone=NEW_YORK,
        on_missing=OnMissingTime.SKIP,
    )
    assert [o.on for o in found] == [date(2026, 3, 1), date(2026, 3, 15)]
    assert local_times(NEW_YORK, [o.starts_at for o in found]) == [
        "2026-03-01 02:30 EST",
        "2026-03-15 02:30 EDT",
    ]
    shifted = expand(
        weekdays=[7],
        local_start=time(2, 30),
        duration_minutes=30,
        starts_on=date(2026, 3, 8),
        ends_on=date(2026, 3, 8),
        zone=NEW_YORK,
    )
    assert local_times(NEW_YORK, [shifted[0].starts_at]) == ["2026-03-08 03:00 EDT"]


def is_ambiguous(day: date, at: time, zone: ZoneInfo) -> bool:
    """Whether the local time happens twice that day (fall back)."""
    first = datetime.combine(day, at, tzinfo=zone)
    second = first.replace(fold=1)
    back = first.astimezone(UTC).astimezone(zone)
    exists = back.replace(tzinfo=None) == first.replace(tzinfo=None)
    return first.utcoffset() != second.utcoffset() and exists


@pytest.mark.parametrize(
    ("zone", "day", "first_utc"),
    [
        (LONDON, date(2026, 10, 25), utc(2026, 10, 25, 0, 30)),
        (NEW_YORK, date(2026, 11, 1), utc(2026, 11, 1, 5, 30)),
    ],
)
def test_fall_back_overlap_takes_the_first_occurrence(
    zone: str, day: date, first_utc: datetime
) -> None:
    at = time(1, 30)
    assert is_ambiguous(day, at, ZoneInfo(zone))
    assert not is_ambiguous(day, time(7, 0), ZoneInfo(zone))
    assert to_utc(day, at, ZoneInfo(zone)) == first_utc
    found = expand(
        weekdays=[7],
        local_start=at,
        duration_minutes=60,
        starts_on=day,
        ends_on=day,
        zone=zone,
    )
    assert [o.starts_at for o in found] == [first_utc]
    # Still summer time at the start; the hour-long class ends at 01:30 winter time.
    assert local_parts(found[0].ends_at, zone) == (day, time(1, 30))


@pytest.mark.parametrize(
    ("zone", "day", "at"),
    [(LONDON, date(2026, 3, 29), time(1, 0)), (NEW_YORK, date(2026, 3, 8), time(2, 59))],
)
def test_a_single_time_inside_the_gap_is_refused_with_date_time_and_zone(
    zone: str, day: date, at: time
) -> None:
    with pytest.raises(MissingLocalTime) as raised:
        to_utc(day, at, ZoneInfo(zone))
    message = str(raised.value)
    assert day.isoformat() in message and f"{at:%H:%M}" in message and zone in message


def test_series_days_weekdays_and_exceptions() -> None:
    # "Mon/Wed/Fri from 1 March to 30 June, except 14 April" (2027: 14 April is a Wednesday).
    days = series_days(
        weekdays=[1, 3, 5],
        starts_on=date(2027, 3, 1),
        ends_on=date(2027, 6, 30),
        except_dates=[date(2027, 4, 14)],
    )
    assert days[0] == date(2027, 3, 1) and days[-1] == date(2027, 6, 30)
    assert date(2027, 4, 14) not in days and date(2027, 4, 12) in days
    assert {d.isoweekday() for d in days} == {1, 3, 5}
    assert len(days) == 52


def test_series_problems() -> None:
    ok = series_problems(weekdays=[1], starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    assert ok == []
    backwards = series_problems(weekdays=[1], starts_on=date(2026, 5, 1), ends_on=date(2026, 4, 1))
    assert backwards == ["the series ends (2026-04-01) before it starts (2026-05-01)"]
    too_long = series_problems(weekdays=[1], starts_on=date(2026, 1, 1), ends_on=date(2027, 1, 2))
    assert too_long and str(MAX_SERIES_DAYS) in too_long[0]
    assert series_problems(weekdays=[], starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 2))
    assert (
        "not [0, 8]"
        in series_problems(weekdays=[0, 8], starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 2))[0]
    )
