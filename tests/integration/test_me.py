"""What a signed-in member reads about themselves: memberships with their visit counts,
visits, bookings and classes with names and local times. Member tokens only, own rows only."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from server.bootstrap import Container
from shared.eligibility import period_bounds
from shared.enums import LimitPeriod
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "me-gym")


def _get(studio: Studio, path: str, member_id: str, **params: Any) -> Any:
    response = studio.api.client.get(path, params=params, headers=studio.member_headers(member_id))
    assert response.status_code == 200, response.text
    return response.json()


def test_my_memberships_say_credits_visits_used_and_when_the_count_resets(studio: Studio) -> None:
    member = studio.member(plan="")
    weekly = studio.desk.plan(MONTHLY, name="8 a week", visit_limit=8, visit_limit_period="week")
    limited = studio.desk.membership(member, weekly)
    pack = studio.desk.membership(member, studio.pack_plan)
    assert studio.desk.check_in(member).json()["membership_id"] == limited["id"]
    items = {m["id"]: m for m in _get(studio, "/me/memberships", member)["items"]}
    assert set(items) == {limited["id"], pack["id"]}
    week = items[limited["id"]]
    assert (week["plan_name"], week["status"], week["visit_limit"]) == ("8 a week", "active", 8)
    assert (week["visit_limit_period"], week["visits_used"]) == ("week", 1)
    _, resets = period_bounds(datetime.now(LONDON), LONDON, LimitPeriod.WEEK)
    assert datetime.fromisoformat(week["period_resets_at"]) == resets
    assert week["timezone"] == "Europe/London"  # no home location: the studio's own
    assert week["ends_on"] is None  # open-ended, renewing every period
    assert week["next_renewal_on"] == limited["next_renewal_on"] is not None
    packed = items[pack["id"]]
    assert (packed["plan_kind"], packed["credits_left"], packed["visits_used"]) == (
        "class_pack",
        5,
        None,
    )
    assert packed["ends_on"] == pack["ends_on"] is not None  # a pack expires
    # Another member's memberships are not in it.
    other = studio.member()
    assert {m["id"] for m in _get(studio, "/me/memberships", other)["items"]} == {
        m["id"] for m in _memberships(studio, other)
    }


def _memberships(studio: Studio, member_id: str) -> list[dict[str, Any]]:
    response = studio.api.client.get(f"/members/{member_id}/memberships", headers=studio.admin)
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_my_checkins_are_my_visits_with_place_and_local_time(studio: Studio) -> None:
    member, other = studio.member(), studio.member()
    assert studio.desk.check_in(member).status_code == 201
    assert studio.desk.check_in(other).status_code == 201
    refused = studio.member(plan="")
    assert studio.desk.check_in(refused).json()["admitted"] is False
    page = _get(studio, "/me/checkins", member)
    [visit] = page["items"]
    assert (visit["location_name"], visit["timezone"]) == ("Osu Studio", "Europe/London")
    occurred = datetime.fromisoformat(visit["occurred_at"])
    local = datetime.fromisoformat(visit["occurred_at_local"])
    assert local == occurred and local.utcoffset() == occurred.astimezone(LONDON).utcoffset()
    assert page["next_offset"] is None
    assert _get(studio, "/me/checkins", refused)["items"] == []
    bad = studio.api.client.get(
        "/me/checkins", params={"limit": 0}, headers=studio.member_headers(member)
    )
    assert bad.status_code == 422


def test_my_bookings_and_a_session_carry_names_places_and_local_times(studio: Studio) -> None:
    coach = studio.api.create_staff(studio.desk.tenant, "coach", "coach@me-gym.example")
    session_id = studio.session(capacity=1, instructor_id=coach["id"], starts_in=timedelta(days=2))
    first, second = studio.member(), studio.member()
    studio.booked(session_id, first)
    waiting = studio.booked(session_id, second)
    assert waiting["status"] == "waitlisted"

    [booking] = _get(studio, "/me/bookings", first)["items"]
    starts = datetime.fromisoformat(booking["starts_at"]).astimezone(LONDON)
    ends = datetime.fromisoformat(booking["ends_at"]).astimezone(LONDON)
    assert (booking["session_type_name"], booking["location_name"]) == ("HIIT", "Osu Studio")
    assert (booking["instructor_name"], booking["timezone"]) == ("coach person", "Europe/London")
    assert datetime.fromisoformat(booking["starts_at_local"]) == starts
    assert datetime.fromisoformat(booking["starts_at_local"]).utcoffset() == starts.utcoffset()
    assert datetime.fromisoformat(booking["ends_at_local"]) == ends
    assert booking["status"] == "confirmed"
    assert _get(studio, "/me/bookings", first, when="past")["items"] == []

    mine = _get(studio, f"/me/sessions/{session_id}", second)
    assert (mine["session_type_name"], mine["instructor_name"]) == ("HIIT", "coach person")
    assert (mine["places_left"], mine["waitlist_count"], mine["capacity"]) == (0, 1, 1)
    assert datetime.fromisoformat(mine["starts_at_local"]).time() == starts.time()
    assert mine["my_booking"] == {
        "id": waiting["id"],
        "status": "waitlisted",
        "waitlist_place": 1,
    }
    theirs = _get(studio, f"/me/sessions/{session_id}", first)["my_booking"]
    assert (theirs["status"], theirs["waitlist_place"]) == ("confirmed", None)
    stranger = _get(studio, f"/me/sessions/{session_id}", studio.member())
    assert stranger["my_booking"] is None


def test_member_routes_need_a_member_token_and_hide_other_tenants(
    studio: Studio, api: Api, container: Container
) -> None:
    session_id = studio.session()
    other = open_studio(api, container, "me-other")
    their_session = other.session()
    member = studio.member()
    mine = studio.member_headers(member)
    response = api.client.get(f"/me/sessions/{their_session}", headers=mine)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    for path in ("/me/memberships", "/me/checkins", "/me/bookings", f"/me/sessions/{session_id}"):
        assert api.client.get(path, headers=studio.admin).status_code == 403, path
        assert api.client.get(path).status_code == 401, path
    unknown = api.client.get("/me/sessions/not-an-id", headers=mine)
    assert unknown.status_code == 404  # a path id that is no id names nothing
