"""A change of role, location, activation or archiving, and a sign-out, take effect on the
next request, even for access tokens issued before."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from server.bootstrap import Container, build_container
from server.config import Settings
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "grant-gym")


def _staff(studio: Studio, role: str, email: str, **extra: Any) -> tuple[str, dict[str, str]]:
    staff = studio.api.create_staff(studio.desk.tenant, role, email, **extra)
    return staff["id"], studio.api.token_for(studio.desk.tenant.slug, email)


def _patch_staff(studio: Studio, staff_id: str, **changes: Any) -> None:
    response = studio.api.client.patch(f"/staff/{staff_id}", json=changes, headers=studio.admin)
    assert response.status_code == 200, response.text


def _refused(response: Any) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_token"


def test_a_demoted_manager_cannot_create_a_plan_with_the_old_token(studio: Studio) -> None:
    manager_id, manager = _staff(studio, "manager", "manager@grant-gym.example")
    client = studio.api.client
    assert client.post("/plans", json=MONTHLY, headers=manager).status_code == 201
    _patch_staff(studio, manager_id, role="coach")
    _refused(client.post("/plans", json={**MONTHLY, "name": "Sneaky"}, headers=manager))
    plans = client.get("/plans", headers=studio.admin).json()["items"]
    assert "Sneaky" not in {p["name"] for p in plans}
    # Signed in again, they are the coach they now are.
    coach = studio.api.token_for(studio.desk.tenant.slug, "manager@grant-gym.example")
    assert client.post("/plans", json=MONTHLY, headers=coach).status_code == 403


def test_a_deactivated_account_cannot_list_members(studio: Studio) -> None:
    desk_id, desk = _staff(studio, "front_desk", "leaver@grant-gym.example")
    client = studio.api.client
    assert client.get("/members", headers=desk).status_code == 200
    _patch_staff(studio, desk_id, active=False)
    _refused(client.get("/members", headers=desk))
    # Reactivated, the old token stays dead: a new sign-in is needed.
    _patch_staff(studio, desk_id, active=True)
    _refused(client.get("/members", headers=desk))
    again = studio.api.token_for(studio.desk.tenant.slug, "leaver@grant-gym.example")
    assert client.get("/members", headers=again).status_code == 200


def test_a_change_of_location_ends_the_tokens_issued_before(studio: Studio) -> None:
    other = studio.api.create_location(studio.desk.tenant, "Annexe")
    desk_id, desk = _staff(studio, "front_desk", "mover@grant-gym.example")
    client = studio.api.client
    _patch_staff(studio, desk_id, name="Renamed")  # nothing about access: token lives on
    assert client.get("/me", headers=desk).status_code == 200
    _patch_staff(studio, desk_id, home_location_id=other["id"])
    _refused(client.get("/me", headers=desk))


def test_logout_ends_the_access_token_too(studio: Studio) -> None:
    client = studio.api.client
    _, desk = _staff(studio, "front_desk", "out@grant-gym.example")
    _, elsewhere = _staff(studio, "front_desk", "stays@grant-gym.example")
    assert client.post("/auth/logout", headers=desk).status_code == 204
    _refused(client.get("/me", headers=desk))
    _refused(client.get("/members", headers=desk))
    # Another account's sign-in is not touched.
    assert client.get("/me", headers=elsewhere).status_code == 200


def test_an_archived_member_cannot_use_their_token(studio: Studio) -> None:
    client = studio.api.client
    member = studio.member()
    mine = studio.member_headers(member)
    booking = studio.booked(studio.session(starts_in=timedelta(days=2)), member)
    assert client.get("/me/bookings", headers=mine).status_code == 200
    assert client.get("/me/calendar", headers=mine).status_code == 200
    archived = client.delete(f"/members/{member}", headers=studio.staff)
    assert archived.status_code == 204, archived.text
    _refused(client.get("/me/bookings", headers=mine))
    _refused(client.get("/me/calendar", headers=mine))
    _refused(client.post(f"/me/bookings/{booking['id']}/cancel", headers=mine))
    [row] = studio.bookings(booking["session_id"])
    assert row.status == "confirmed"


def test_another_process_sees_a_change_within_its_grant_ttl(
    studio: Studio, settings: Settings
) -> None:
    """Two server processes on one database: the one that did not make the change notices
    it once what it remembers expires (no time-to-live here, so at once)."""
    from fastapi.testclient import TestClient

    from server.main import create_app

    desk_id, desk = _staff(studio, "front_desk", "twice@grant-gym.example")
    other = build_container(settings.model_copy(update={"access_grant_ttl_seconds": 0.0}))
    try:
        with TestClient(create_app(container=other), raise_server_exceptions=False) as second:
            assert second.get("/members", headers=desk).status_code == 200
            _patch_staff(studio, desk_id, active=False)  # through the first process
            _refused(second.get("/members", headers=desk))
    finally:
        other.dispose()


def test_a_member_logout_ends_their_access_tokens(studio: Studio) -> None:
    client = studio.api.client
    member, other = studio.member(), studio.member()
    mine, theirs = studio.member_headers(member), studio.member_headers(other)
    assert client.get("/me/bookings", headers=mine).status_code == 200
    assert client.post("/members/logout", headers=mine).status_code == 204
    _refused(client.get("/me/bookings", headers=mine))
    _refused(client.get("/members/me", headers=mine))
    assert client.get("/me/bookings", headers=theirs).status_code == 200
    # Staff sign out through /auth/logout; this route is for members.
    assert client.post("/members/logout", headers=studio.staff).status_code == 403
