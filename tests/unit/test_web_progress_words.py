"""The Progress page's words for parts of the day and badges."""

from __future__ import annotations

from server.engagement.history import part_of_day
from server.web.progress_view import badge_name


def test_parts_of_the_day_by_local_hour() -> None:
    assert [part_of_day(h) for h in (0, 4, 5, 11, 12, 16, 17, 21, 22, 23)] == [
        "night",
        "night",
        "morning",
        "morning",
        "afternoon",
        "afternoon",
        "evening",
        "evening",
        "night",
        "night",
    ]


def test_badges_by_name() -> None:
    assert badge_name("sessions:10") == "10 sessions"
    assert badge_name("classes:25") == "25 classes"
    assert badge_name("streak:daily:7") == "7-day streak"
    assert badge_name("streak:weekly:4") == "4-week streak"
    assert badge_name("first_class") == "First class"
    assert badge_name("something_new") == "Something new"
