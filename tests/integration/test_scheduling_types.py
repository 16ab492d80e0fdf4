"""Session types and their instructors: roles, validation, archiving, tenancy."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from server.bootstrap import Container
from tests.integration.helpers import Api
from tests.integration.scheduling_helpers import YOGA, open_studio


def test_session_types_are_created_read_changed_and_archived(
    api: Api, container: Container
) -> None:
    studio = open_studio(api, container, "types-gym")
    yoga = studio.session_type()
    assert {k: yoga[k] for k in YOGA} == YOGA
    assert yoga["requires_approval"] is False and yoga["active"] is True
    hiit = studio.session_type(name="HIIT 45", category="HIIT", intensity="vigorous")
    coach = api.token_for(studio.tenant.slug, studio.coach["email"])
    # Any staff reads; only owners and managers write.
    listed = api.client.get("/session-types", headers=coach)
    assert [t["name"] for t in listed.json()["items"]] == ["HIIT 45", "Sunrise yoga"]
    assert api.client.post("/session-types", json=YOGA, headers=coach).status_code == 403
    changed = api.client.patch(
        f"/session-types/{yoga['id']}",
        json={"default_capacity": 20, "contraindications": [], "requires_approval": True},
        headers=studio.admin,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["default_capacity"], changed.json()["contraindications"]) == (20, [])
    assert changed.json()["name"] == "Sunrise yoga"
    archived = api.client.patch(
        f"/session-types/{hiit['id']}", json={"active": False}, headers=studio.admin
    )
    assert archived.json()["active"] is False
    active = api.client.get("/session-types", params={"active": True}, headers=coach)
    assert [t["id"] for t in active.json()["items"]] == [yoga["id"]]
    # An archived type takes no new sessions.
    refused = studio.post(
        "/sessions",
        {
            "location_id": studio.location["id"],
            "session_type_id": hiit["id"],
            "local_date": "2099-01-05",
            "local_start": "07:00",
        },
    )
    assert refused.status_code == 422 and "archived" in refused.json()["detail"]


# Each refusal and its wording is unit-tested (tests/unit/test_scheduling_requests.py).
# Here: that the route applies the schema and stores nothing. SQLite only: the database
# plays no part in it.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_bad_session_types_are_refused(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "bad-types")
    for change, message in (
        ({"intensity": "extreme"}, "intensity"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"colour": "red"}, "colour"),
    ):
        response = studio.post("/session-types", {**YOGA, **change})
        assert response.status_code == 422
        assert message in response.json()["detail"]
    assert api.client.get("/session-types", headers=studio.admin).json()["items"] == []


def test_instructors_are_active_staff_who_can_lead(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "lead-gym")
    yoga = studio.session_type()
    manager = api.create_staff(studio.tenant, "manager", "manager@lead-gym.example")
    desk = api.create_staff(studio.tenant, "front_desk", "desk@lead-gym.example")
    path = f"/session-types/{yoga['id']}/instructors"
    put = api.client.put(
        path,
        json={"staff_ids": [studio.coach["id"], manager["id"], studio.coach["id"]]},
        headers=studio.admin,
    )
    assert put.status_code == 200, put.text
    assert sorted(i["role"] for i in put.json()["instructors"]) == ["coach", "manager"]
    refused = api.client.put(path, json={"staff_ids": [desk["id"]]}, headers=studio.admin)
    assert refused.status_code == 422
    assert "only a coach, manager or owner can lead" in refused.json()["detail"]
    # The refused change changed nothing.
    got = api.client.get(path, headers=studio.admin).json()
    assert len(got["instructors"]) == 2
    other = open_studio(api, container, "lead-other")
    foreign = api.client.put(path, json={"staff_ids": [other.coach["id"]]}, headers=studio.admin)
    assert foreign.status_code == 404
    # Deactivated staff cannot lead.
    off = api.client.patch(
        f"/staff/{studio.coach['id']}", json={"active": False}, headers=studio.admin
    )
    assert off.status_code == 200, off.text
    inactive = api.client.put(path, json={"staff_ids": [studio.coach["id"]]}, headers=studio.admin)
    assert inactive.status_code == 422 and "not an active" in inactive.json()["detail"]
    cleared = api.client.put(path, json={"staff_ids": []}, headers=studio.admin)
    assert cleared.json()["instructors"] == []


def test_other_tenants_session_types_are_not_found(api: Api, container: Container) -> None:
    mine = open_studio(api, container, "mine-types")
    theirs = open_studio(api, container, "their-types")
    their_type = theirs.session_type()
    cases: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", f"/session-types/{their_type['id']}", None),
        ("PATCH", f"/session-types/{their_type['id']}", {"name": "Mine now"}),
        ("GET", f"/session-types/{their_type['id']}/instructors", None),
        ("PUT", f"/session-types/{their_type['id']}/instructors", {"staff_ids": []}),
        ("GET", f"/session-types/{uuid.uuid4()}", None),
    ]
    for method, path, body in cases:
        response = api.client.request(method, path, json=body, headers=mine.admin)
        assert response.status_code == 404, (method, path, response.text)
    assert (
        theirs.api.client.get(f"/session-types/{their_type['id']}", headers=theirs.admin).json()[
            "name"
        ]
        == "Sunrise yoga"
    )
