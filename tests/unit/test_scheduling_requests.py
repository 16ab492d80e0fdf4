"""Session types and recurring series the API refuses before any route runs (their schemas)
or before anything is written (the series rule): each refusal and its wording."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from server.scheduling.rules import series_problems
from server.scheduling.schemas import ScheduleCreate, SessionTypeCreate
from tests.integration.scheduling_helpers import YOGA
from tests.unit.request_validation import answer, refusal

START = date(2030, 3, 4)
SERIES = {
    "location_id": "0190f5d2-1c4b-7a3e-9d2f-3b5c6d7e8f90",
    "session_type_id": "0190f5d2-1c4b-7a3e-9d2f-3b5c6d7e8f91",
    "weekdays": [1],
    "local_start": "07:00",
    "starts_on": START.isoformat(),
    "ends_on": (START + timedelta(days=30)).isoformat(),
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"intensity": "extreme"}, "intensity"),
        ({"kind": "retreat"}, "kind"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"default_capacity": 0}, "default_capacity"),
        ({"contraindications": [""]}, "contraindications"),
        ({"name": ""}, "name"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_session_types_are_refused(change: dict[str, Any], message: str) -> None:
    assert message in refusal(SessionTypeCreate, {**YOGA, **change})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weekdays": [0]}, "weekdays"),
        ({"weekdays": []}, "weekdays"),
        ({"local_start": "25:00"}, "local_start"),
        ({"on_missing_time": "later"}, "on_missing_time"),
        ({"capacity": 0}, "capacity"),
    ],
)
def test_bad_series_are_refused(change: dict[str, Any], message: str) -> None:
    assert message in refusal(ScheduleCreate, {**SERIES, **change})


@pytest.mark.parametrize(
    ("ends_on", "message"),
    [
        (START - timedelta(days=1), "before it starts"),
        (START + timedelta(days=366), "at most 366 days"),
    ],
)
def test_series_dates_that_cannot_be(ends_on: date, message: str) -> None:
    [problem] = series_problems(weekdays=[1], starts_on=START, ends_on=ends_on)
    assert message in problem


def test_good_session_types_and_series_pass() -> None:
    assert answer(SessionTypeCreate, YOGA).status_code == 200
    assert answer(ScheduleCreate, SERIES).status_code == 200
    assert series_problems(weekdays=[1], starts_on=START, ends_on=START + timedelta(days=365)) == []
