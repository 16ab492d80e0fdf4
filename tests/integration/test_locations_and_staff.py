"""Locations, staff roles and their validation."""

from __future__ import annotations

import pytest

from tests.integration.helpers import HOURS, PASSWORD, Api


def test_location_round_trip(api: Api) -> None:
    tenant = api.sign_up("loc-gym")
    created = api.create_location(tenant, "Harbour", timezone="America/New_York", capacity=40)
    fetched = api.client.get(f"/locations/{created['id']}", headers=tenant.headers).json()
    assert fetched["timezone"] == "America/New_York"
    assert fetched["opening_hours"]["mon"] == [{"opens": "06:00", "closes": "22:00"}]
    assert fetched["opening_hours"]["tue"] == []
    updated = api.client.patch(
        f"/locations/{created['id']}",
        json={"capacity": 55, "name": "Harbour Club"},
        headers=tenant.headers,
    ).json()
    assert (updated["capacity"], updated["name"]) == (55, "Harbour Club")
    listed = api.client.get("/locations", headers=tenant.headers).json()
    assert [item["name"] for item in listed["items"]] == ["Harbour Club"]
    # Pages write its dates and money as the branch does: en_GB unless it says otherwise.
    assert fetched["locale"] == "en_GB"
    relocated = api.client.patch(
        f"/locations/{created['id']}", json={"locale": "en-US"}, headers=tenant.headers
    )
    assert relocated.json()["locale"] == "en_US"
    emptied = api.client.patch(
        f"/locations/{created['id']}", json={"locale": None}, headers=tenant.headers
    )
    assert emptied.status_code == 422


# Each refusal and its wording is unit-tested (tests/unit/test_member_and_location_requests.py).
# Here: that the route applies them and stores nothing. SQLite only: the database plays no
# part in it.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_bad_location_input_is_explained_and_changes_nothing(api: Api) -> None:
    tenant = api.sign_up("bad-loc-gym")
    cases: list[tuple[dict[str, object], str]] = [
        ({"timezone": "Mars/Olympus"}, "is not an IANA time zone"),
        (
            {"opening_hours": {"mon": [{"opens": "22:00", "closes": "06:00"}]}},
            "must be after opening",
        ),
        ({"name": ""}, "name"),
        ({"locale": "xx_QQ"}, "is not a known locale"),
    ]
    for change, expected in cases:
        body = {"name": "X", "timezone": "Europe/London", "opening_hours": HOURS, **change}
        response = api.client.post("/locations", json=body, headers=tenant.headers)
        assert response.status_code == 422, change
        assert response.headers["content-type"] == "application/problem+json"
        assert expected in response.json()["detail"], (change, response.json())
    assert api.client.get("/locations", headers=tenant.headers).json()["items"] == []


def test_archived_location_disappears(api: Api) -> None:
    tenant = api.sign_up("archive-gym")
    location = api.create_location(tenant)
    assert (
        api.client.delete(f"/locations/{location['id']}", headers=tenant.headers).status_code == 204
    )
    assert api.client.get(f"/locations/{location['id']}", headers=tenant.headers).status_code == 404


def test_roles_decide_who_may_do_what(api: Api) -> None:
    tenant = api.sign_up("roles-gym")
    location = api.create_location(tenant)
    api.create_staff(tenant, "manager", "manager@roles-gym.example")
    api.create_staff(tenant, "front_desk", "desk@roles-gym.example")
    manager = api.token_for("roles-gym", "manager@roles-gym.example")
    desk = api.token_for("roles-gym", "desk@roles-gym.example")

    # Front desk reads but does not administer.
    assert api.client.get(f"/locations/{location['id']}", headers=desk).status_code == 200
    denied = api.client.post("/locations", json={"name": "X", "timezone": "UTC"}, headers=desk)
    assert denied.status_code == 403
    assert "manager" in denied.json()["detail"]
    assert (
        api.client.post(f"/locations/{location['id']}/enrolment-codes", headers=desk).status_code
        == 403
    )

    # A manager manages staff, but not owners, and cannot archive locations.
    owner_attempt = {
        "name": "Evil",
        "email": "evil@roles-gym.example",
        "role": "owner",
        "password": PASSWORD,
    }
    assert api.client.post("/staff", json=owner_attempt, headers=manager).status_code == 403
    assert (
        api.client.patch(
            f"/staff/{tenant.owner_id}", json={"active": False}, headers=manager
        ).status_code
        == 403
    )
    assert api.client.delete(f"/locations/{location['id']}", headers=manager).status_code == 403
    coach = {
        "name": "Coach",
        "email": "coach@roles-gym.example",
        "role": "coach",
        "password": PASSWORD,
    }
    assert api.client.post("/staff", json=coach, headers=manager).status_code == 201


def test_staff_email_is_unique_per_tenant_only(api: Api) -> None:
    first = api.sign_up("uniq-one")
    second = api.sign_up("uniq-two")
    api.create_staff(first, "coach", "same@example.org")
    body = {"name": "Dup", "email": "Same@Example.org", "role": "coach", "password": PASSWORD}
    duplicate = api.client.post("/staff", json=body, headers=first.headers)
    assert duplicate.status_code == 409
    assert api.client.post("/staff", json=body, headers=second.headers).status_code == 201


def test_owner_cannot_lock_themselves_out(api: Api) -> None:
    tenant = api.sign_up("self-gym")
    response = api.client.patch(
        f"/staff/{tenant.owner_id}", json={"active": False}, headers=tenant.headers
    )
    assert response.status_code == 403
    assert api.client.get("/me", headers=tenant.headers).json()["active"] is True


def test_staff_pin_is_never_returned(api: Api) -> None:
    tenant = api.sign_up("pin-gym")
    staff = api.create_staff(tenant, "front_desk", "desk@pin-gym.example", pin="4321")
    assert staff["has_pin"] is True
    assert "4321" not in api.client.get(f"/staff/{staff['id']}", headers=tenant.headers).text
    bad = api.client.patch(f"/staff/{staff['id']}", json={"pin": "12"}, headers=tenant.headers)
    assert bad.status_code == 422
    assert "pin" in bad.json()["detail"]


def test_staff_pins_are_unique_per_tenant_and_the_refusal_names_nobody(api: Api) -> None:
    tenant = api.sign_up("pin-uniq")
    other = api.sign_up("pin-other")
    kofi = api.create_staff(tenant, "front_desk", "kofi@pin-uniq.example", pin="4321")
    esi = api.create_staff(tenant, "coach", "esi@pin-uniq.example", pin="8765")
    staff_before = api.client.get("/staff", headers=tenant.headers).json()
    body = {
        "name": "Yaw Taken",
        "email": "yaw@pin-uniq.example",
        "role": "front_desk",
        "password": PASSWORD,
        "pin": "4321",
    }
    taken = api.client.post("/staff", json=body, headers=tenant.headers)
    assert taken.status_code == 409, taken.text
    problem = taken.json()
    assert problem["code"] == "pin_in_use" and "already in use" in problem["detail"]
    assert "kofi" not in taken.text.lower() and kofi["id"] not in taken.text
    # Changing a PIN to another's is refused the same way, and changes nothing.
    moved = api.client.patch(f"/staff/{esi['id']}", json={"pin": "4321"}, headers=tenant.headers)
    assert moved.status_code == 409 and moved.json()["code"] == "pin_in_use"
    assert "kofi" not in moved.text.lower() and kofi["id"] not in moved.text
    assert api.client.get("/staff", headers=tenant.headers).json() == staff_before
    # An inactive member of staff keeps their PIN: they may come back.
    api.client.patch(f"/staff/{kofi['id']}", json={"active": False}, headers=tenant.headers)
    again = api.client.post("/staff", json=body, headers=tenant.headers)
    assert again.status_code == 409
    # Keeping one's own PIN is fine; another tenant may use the same digits.
    same = api.client.patch(f"/staff/{esi['id']}", json={"pin": "8765"}, headers=tenant.headers)
    assert same.status_code == 200, same.text
    assert api.create_staff(other, "front_desk", "yaw@pin-other.example", pin="4321")["has_pin"]
    assert api.create_staff(tenant, "front_desk", "ama@pin-uniq.example", pin="5555")["has_pin"]
