"""The Progress page's words for parts of the day."""

from __future__ import annotations

from server.engagement.history import part_of_day


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
