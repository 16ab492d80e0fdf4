"""The movement ledger's pure rules: a member's local date at the tenant's day-start hour,
across daylight-saving changes, and what a plausible event is."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.movement import (
    MAX_MINUTES_PER_DAY,
    MovementIntensity,
    intensity_of_session_type,
    local_date,
    movement_refusal,
)

LONDON = "Europe/London"
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def test_a_day_starting_at_3_puts_01_30_on_the_day_before() -> None:
    # 2026-07-10 00:30 UTC is 01:30 BST on the 10th; less 3 hours is 22:30 on the 9th.
    assert local_date(datetime(2026, 7, 10, 0, 30, tzinfo=UTC), LONDON, 3) == date(2026, 7, 9)
    # 03:00 BST (02:00 UTC) is the first minute of the 10th.
    assert local_date(datetime(2026, 7, 10, 2, 0, tzinfo=UTC), LONDON, 3) == date(2026, 7, 10)
    # With the day starting at midnight, 01:30 is the 10th.
    assert local_date(datetime(2026, 7, 10, 0, 30, tzinfo=UTC), LONDON, 0) == date(2026, 7, 10)


def test_dates_follow_the_wall_clock_across_daylight_saving() -> None:
    # Clocks go forward at 01:00 UTC on 29 March 2026. 23:30 UTC on the 28th is 23:30 GMT
    # on the 28th; 24 hours later, 23:30 UTC on the 29th, is 00:30 BST on the 30th: one
    # day of instants apart, two calendar dates apart.
    assert local_date(datetime(2026, 3, 28, 23, 30, tzinfo=UTC), LONDON) == date(2026, 3, 28)
    assert local_date(datetime(2026, 3, 29, 23, 30, tzinfo=UTC), LONDON) == date(2026, 3, 30)
    # Clocks go back at 01:00 UTC on 25 October 2026: 00:30 UTC is 01:30 BST on the 25th,
    # and with a day starting at 02:00 that is still the 24th.
    assert local_date(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), LONDON, 2) == date(2026, 10, 24)
    # 01:30 UTC is 01:30 GMT (after the change): still before 02:00, still the 24th.
    assert local_date(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), LONDON, 2) == date(2026, 10, 24)
    # 02:00 GMT (02:00 UTC) starts the 25th.
    assert local_date(datetime(2026, 10, 25, 2, 0, tzinfo=UTC), LONDON, 2) == date(2026, 10, 25)


def test_the_same_instant_is_different_dates_in_different_zones() -> None:
    at = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)  # 23:30 in Accra, 00:30 BST in London
    assert local_date(at, "Africa/Accra") == date(2026, 6, 1)
    assert local_date(at, LONDON) == date(2026, 6, 2)


def test_naive_times_and_day_starts_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError):
        local_date(datetime(2026, 6, 1, 12, 0), LONDON)
    with pytest.raises(ValueError):
        local_date(NOW, LONDON, 7)


zones = st.sampled_from([LONDON, "Africa/Accra", "America/New_York", "Australia/Sydney"])
instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@given(at=instants, zone=zones, hour=st.integers(0, 6))
def test_the_local_date_is_the_wall_date_less_the_day_start(
    at: datetime, zone: str, hour: int
) -> None:
    wall = at.astimezone(ZoneInfo(zone))
    expected = wall.date() if wall.hour >= hour else wall.date() - timedelta(days=1)
    assert local_date(at, zone, hour) == expected


@given(at=instants, zone=zones, hour=st.integers(0, 6), later=st.integers(0, 10_000))
def test_local_dates_never_go_backwards_in_time(
    at: datetime, zone: str, hour: int, later: int
) -> None:
    assert local_date(at, zone, hour) <= local_date(at + timedelta(minutes=later), zone, hour)


def _refusal(
    *, ahead: timedelta = -timedelta(hours=1), minutes: int = 30, that_day: int = 0
) -> str | None:
    return movement_refusal(
        occurred_at=NOW + ahead, now=NOW, minutes=minutes, minutes_that_day=that_day
    )


def test_what_is_refused() -> None:
    assert _refusal() is None
    assert "future" in str(_refusal(ahead=timedelta(minutes=6)))
    # A clock a few minutes ahead is not the future.
    assert _refusal(ahead=timedelta(minutes=4)) is None
    assert "negative" in str(_refusal(minutes=-1))
    # 570 + 30 = 600: the most a day holds; 570 + 31 = 601 is one too many.
    assert _refusal(that_day=570) is None
    assert "600" in str(_refusal(minutes=31, that_day=570))
    assert MAX_MINUTES_PER_DAY == 600


def test_session_type_intensities_as_dose_categories() -> None:
    assert intensity_of_session_type("low") is MovementIntensity.LIGHT
    assert intensity_of_session_type("moderate") is MovementIntensity.MODERATE
    assert intensity_of_session_type("high") is MovementIntensity.VIGOROUS
    assert intensity_of_session_type("vigorous") is MovementIntensity.VIGOROUS
    assert intensity_of_session_type(None) is MovementIntensity.MODERATE
