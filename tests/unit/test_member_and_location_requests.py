"""Member profiles and locations the API refuses before any route runs (their schemas):
each refusal and the reason people read (no database needed)."""

from __future__ import annotations

from typing import Any

import pytest

from server.members.schemas import MemberCreate, MemberUpdate
from server.tenants.schemas import LocationCreate
from tests.integration.helpers import HOURS
from tests.unit.request_validation import answer, refusal

MEMBER = {"first_name": "A", "last_name": "B"}
LOCATION = {"name": "X", "timezone": "Europe/London", "opening_hours": HOURS}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"first_name": "  "}, "first_name"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "call me"}, "not a phone number"),
        ({"phone": "12"}, "3 to 15 digits"),
        ({"date_of_birth": "2999-01-01"}, "cannot be in the future"),
        ({"date_of_birth": "1850-01-01"}, "more than 120 years ago"),
        ({"fitness_goals": ["x" * 81]}, "at most 80 characters"),
        ({"preferences": {"blob": "x" * 5000}}, "at most 4096 bytes"),
        ({"barcode": "has space"}, "barcode"),
        ({"source": "carrier-pigeon"}, "source"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_bad_profiles_are_refused(change: dict[str, Any], expected: str) -> None:
    assert expected in refusal(MemberCreate, {**MEMBER, **change})


def test_a_profile_edit_cannot_blank_a_name() -> None:
    assert "last_name" in refusal(MemberUpdate, {"last_name": ""})


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"timezone": "Mars/Olympus"}, "is not an IANA time zone"),
        ({"capacity": 0}, "capacity"),
        (
            {"opening_hours": {"mon": [{"opens": "22:00", "closes": "06:00"}]}},
            "must be after opening",
        ),
        ({"opening_hours": {"mon": [{"opens": "25:00", "closes": "26:00"}]}}, "HH:MM"),
        ({"opening_hours": {"funday": []}}, "funday"),
        (
            {
                "opening_hours": {
                    "mon": [
                        {"opens": "06:00", "closes": "12:00"},
                        {"opens": "11:00", "closes": "13:00"},
                    ]
                }
            },
            "overlap",
        ),
        ({"name": ""}, "name"),
    ],
)
def test_bad_locations_are_explained(change: dict[str, Any], expected: str) -> None:
    assert expected in refusal(LocationCreate, {**LOCATION, **change})


def test_good_profiles_and_locations_pass() -> None:
    full = {
        **MEMBER,
        "email": "Kofi.Boateng@Example.COM",
        "phone": "+233 (20) 123-4567",
        "date_of_birth": "1990-05-17",
        "fitness_goals": ["run 5k"],
        "barcode": "ZM-0001",
    }
    for schema, body in ((MemberCreate, MEMBER), (MemberCreate, full), (LocationCreate, LOCATION)):
        response = answer(schema, body)
        assert response.status_code == 200, response.text
