"""Visit-limit periods in the location's own time zone: month and week edges, DST changes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.eligibility import (
    Decision,
    MembershipTerms,
    PlanTerms,
    decide,
    local_midnight,
    period_bounds,
)
from shared.enums import LimitMode, LimitPeriod, MembershipStatus, PlanKind

HERE = uuid.uuid4()
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def test_month_starts_at_local_midnight_on_the_first() -> None:
    # 31 May 23:30 UTC is already 1 June in London (BST, UTC+1).
    at = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
    start, end = period_bounds(at, LONDON, LimitPeriod.MONTH)
    assert start == datetime(2026, 5, 31, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    # ...and still 31 May in New York (EDT, UTC-4).
    start, end = period_bounds(at, NEW_YORK, LimitPeriod.MONTH)
    assert start == datetime(2026, 5, 1, 4, 0, tzinfo=UTC)
    assert end == datetime(2026, 6, 1, 4, 0, tzinfo=UTC)


def test_a_month_across_a_dst_change_keeps_local_midnights() -> None:
    # March 2026: London moves to BST on the 29th; the month is 31 days minus one hour.
    start, end = period_bounds(datetime(2026, 3, 30, 12, tzinfo=UTC), LONDON, LimitPeriod.MONTH)
    assert start == datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 31, 23, 0, tzinfo=UTC)
    assert end - start == timedelta(days=31, hours=-1)
    # November 2026 in New York: back to EST on the 1st at 02:00.
    start, end = period_bounds(datetime(2026, 11, 15, tzinfo=UTC), NEW_YORK, LimitPeriod.MONTH)
    assert start == datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


def test_weeks_start_on_monday_local_across_dst() -> None:
    # Sunday 8 March 2026 is New York's spring-forward day; the week is Mon 2 .. Sun 8.
    at = datetime(2026, 3, 8, 15, 0, tzinfo=UTC)
    start, end = period_bounds(at, NEW_YORK, LimitPeriod.WEEK)
    assert start == datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # midnight EST
    assert end == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)  # midnight EDT
    assert end - start == timedelta(days=7, hours=-1)
    # Late on Sunday evening local time is still that week, though it is Monday in UTC.
    sunday_night = datetime(2026, 3, 9, 3, 30, tzinfo=UTC)
    assert period_bounds(sunday_night, NEW_YORK, LimitPeriod.WEEK)[0] == start
    # London autumn: week of Mon 19 .. Sun 25 October 2026 (clocks go back on the 25th).
    start, end = period_bounds(datetime(2026, 10, 25, 12, tzinfo=UTC), LONDON, LimitPeriod.WEEK)
    assert start == datetime(2026, 10, 18, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 10, 26, 0, 0, tzinfo=UTC)


def test_a_midnight_that_does_not_exist_starts_the_day_at_the_gap() -> None:
    # Santiago springs forward at 00:00 on 6 September 2026: the day begins at 01:00 local.
    santiago = ZoneInfo("America/Santiago")
    begins = local_midnight(date(2026, 9, 6), santiago)
    assert begins.astimezone(santiago).hour == 1
    assert begins == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)


def test_dates_are_read_in_the_location_zone_and_must_be_aware() -> None:
    plan = PlanTerms(
        name="Once a month",
        kind=PlanKind.RECURRING,
        visit_limit=1,
        visit_limit_period=LimitPeriod.MONTH,
        visit_limit_mode=LimitMode.BLOCK,
    )
    m = MembershipTerms(
        id=uuid.uuid4(),
        plan=plan,
        status=MembershipStatus.ACTIVE,
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 6, 30),
    )

    def at(moment: datetime, tz: ZoneInfo, used: int = 0) -> Decision:
        return decide(
            [m],
            location_id=HERE,
            member_home_location_id=None,
            at=moment,
            tz=tz,
            visits_used={m.id: used},
        )

    # 31 May 23:30 UTC: already 1 June in London, still 31 May in New York.
    edge = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
    assert at(edge, LONDON).admitted
    assert at(edge, NEW_YORK).reason == "membership starts on 1 June"
    assert at(edge, LONDON, used=1).reason == "monthly limit of 1 visit reached"
    with pytest.raises(ValueError):
        at(datetime(2026, 6, 1), LONDON)
