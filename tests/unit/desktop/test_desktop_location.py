from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desktop.core.location import LocationView, describe_age
from shared.opening_hours import OpeningHours

HOURS = OpeningHours.model_validate(
    {
        "mon": [{"opens": "06:00", "closes": "22:00"}],
        "sat": [{"opens": "08:00", "closes": "12:00"}, {"opens": "14:00", "closes": "18:00"}],
    }
)


def view(tz: str) -> LocationView:
    return LocationView("Gym", "Tenant", tz, None, HOURS)


def test_local_time_and_hours_use_the_location_zone() -> None:
    # Monday 2025-01-06 23:30 UTC is already Tuesday 12:30 in Auckland (UTC+13 in summer).
    now = datetime(2025, 1, 6, 23, 30, tzinfo=UTC)
    auckland = view("Pacific/Auckland")
    assert auckland.local_time(now).strftime("%a %H:%M") == "Tue 12:30"
    assert auckland.today_hours(now) == "Closed"
    assert auckland.open_status(now) == "Closed today"
    london = view("Europe/London")
    assert london.today_hours(now) == "06:00\u201322:00"
    assert london.open_status(now) == "Closed now"


def test_open_status_between_intervals() -> None:
    saturday_1pm_utc = datetime(2025, 1, 11, 13, 0, tzinfo=UTC)
    assert view("UTC").open_status(saturday_1pm_utc) == "Closed now · opens 14:00"
    assert view("UTC").open_status(saturday_1pm_utc + timedelta(hours=2)) == (
        "Open now · until 18:00"
    )
    assert view("UTC").is_open(saturday_1pm_utc + timedelta(hours=2))


def test_unknown_zone_falls_back_to_utc() -> None:
    assert view("Mars/Olympus").zone.key == "UTC"


def test_describe_age() -> None:
    now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert describe_age(None, now) == "never"
    assert describe_age(now - timedelta(seconds=20), now) == "just now"
    assert describe_age(now - timedelta(minutes=2, seconds=5), now) == "2 min ago"
    assert describe_age(now - timedelta(hours=3), now) == "3 h ago"
    assert describe_age(now - timedelta(days=1), now) == "1 day ago"
    assert describe_age(now - timedelta(days=4), now) == "4 days ago"
