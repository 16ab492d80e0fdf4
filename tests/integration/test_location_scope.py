"""Staff limited to locations: a London manager manages London, not Accra.

The walk covers every route of the OpenAPI document whose path names only resources that
belong to a location (locations, sessions, series, bookings, penalties, check-ins, kiosks,
members and what is theirs): with Accra's ids each answers 404, as another tenant's would,
and with London's the same route works.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

from server.bootstrap import Container
from tests.integration.helpers import PASSWORD, Api, Tenant
from tests.integration.journey_rows import add_journey
from tests.integration.members_helpers import image_bytes
from tests.integration.test_isolation import (
    BODIES,
    DEVICE_ROUTES,
    MEMBER_ROUTES,
    OTHER_PARAMS,
    STATE_DEPENDENT,
    _classes,
    _request,
)

#: Path parameters naming what belongs to a location (directly or through a member).
SCOPED = {
    "movement_event_id",
    "location_id",
    "session_id",
    "schedule_id",
    "booking_id",
    "penalty_id",
    "checkin_id",
    "device_id",
    "member_id",
    "membership_id",
    "pass_id",
    "alert_id",
    "review_item_id",
    "sale_id",
    "circle_id",
    "enrolment_id",
}


def _plan(api: Api, tenant: Tenant) -> str:
    plan = api.client.post(
        "/plans",
        json={
            "name": "Monthly",
            "kind": "recurring",
            "billing_period": "month",
            "price": "40.00",
            "currency": "GBP",
        },
        headers=tenant.headers,
    )
    assert plan.status_code == 201, plan.text
    plan_id: str = plan.json()["id"]
    return plan_id


def _branch(api: Api, tenant: Tenant, name: str, zone: str, plan_id: str) -> dict[str, str]:
    """A location with a kiosk, a member at home there with a membership, a pass, an
    alert, a check-in, classes, a booking and a penalty."""
    location = api.create_location(tenant, name, timezone=zone)
    device = api.enrol_device(tenant, location["id"])
    member = api.client.post(
        "/members",
        json={
            "first_name": "Kwame",
            "last_name": name,
            "home_location_id": location["id"],
            "email": f"kwame@{name.lower()}.example",  # so an invitation has somewhere to go
        },
        headers=tenant.headers,
    ).json()
    photo = api.client.put(
        f"/members/{member['id']}/photo",
        content=image_bytes(".png"),
        headers={**tenant.headers, "content-type": "image/png"},
    )
    assert photo.status_code == 200, photo.text
    issued = api.client.post(f"/members/{member['id']}/passes", headers=tenant.headers).json()
    membership = api.client.post(
        f"/members/{member['id']}/memberships",
        json={"plan_id": plan_id, "starts_on": "2026-01-01", "ends_on": "2099-12-31"},
        headers=tenant.headers,
    ).json()
    checkin = api.client.post(
        "/checkins",
        json={"member_id": member["id"], "location_id": location["id"], "method": "search"},
        headers=tenant.headers,
    ).json()
    alert = api.client.post(
        f"/members/{member['id']}/alerts", json={"text": "balance due"}, headers=tenant.headers
    ).json()
    sale_id = api.sell_day_pass(tenant, member["id"], location["id"], name=f"Day in {name}")
    # A walk-in like the member, registered at the kiosk: a review item of this location.
    review_item_id = api.review_item(device, name, member["id"])
    outdoor = {
        "member_id": member["id"],
        "kind": "outdoor",
        "minutes": 40,
        "intensity": "moderate",
        "occurred_at": (datetime.now(UTC) - timedelta(hours=3)).isoformat(),
        "location_id": location["id"],
    }
    movement = api.client.post("/movement-events", json=outdoor, headers=tenant.headers)
    assert movement.status_code == 201, movement.text
    circle = api.client.post(
        "/circles",
        json={"name": f"{name} runners", "interest": "runners", "location_id": location["id"]},
        headers=tenant.headers,
    ).json()
    journey_id = add_journey(api.client.app.state.container, tenant.id, f"{name} walks")  # type: ignore[attr-defined]
    enrolment = api.client.post(
        f"/members/{member['id']}/journeys",
        json={"template_id": journey_id},
        headers=tenant.headers,
    )
    assert enrolment.status_code == 201, enrolment.text
    return {
        "journey_id": journey_id,
        "enrolment_id": enrolment.json()["id"],
        "circle_id": circle["id"],
        "movement_event_id": movement.json()["id"],
        **_classes(api, tenant, location["id"], member["id"]),
        "alert_id": alert["id"],
        "review_item_id": review_item_id,
        "location_id": location["id"],
        "device_id": device["device_id"],
        "member_id": member["id"],
        "pass_id": issued["id"],
        "membership_id": membership["id"],
        "checkin_id": checkin["id"],
        "plan_id": plan_id,
        "sale_id": sale_id,
    }


def _manager(api: Api, tenant: Tenant, location_id: str, role: str = "manager") -> dict[str, str]:
    email = f"{role}-{uuid.uuid4().hex[:6]}@{tenant.slug}.example"
    made = api.create_staff(tenant, role, email, location_ids=[location_id])
    assert made["location_ids"] == [location_id]
    response = api.login(tenant.slug, email, PASSWORD)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_a_london_manager_gets_404_for_every_accra_resource(api: Api, container: Container) -> None:
    tenant = api.sign_up("two-branches")
    plan_id = _plan(api, tenant)
    london = _branch(api, tenant, "London", "Europe/London", plan_id)
    accra = _branch(api, tenant, "Accra", "Africa/Accra", plan_id)
    manager = _manager(api, tenant, london["location_id"])
    BODIES[("POST", "/sessions/{session_id}/bookings")] = {
        "json": {"member_id": london["member_id"]}
    }
    BODIES[("POST", "/members/{member_id}/journeys")] = {
        "json": {"template_id": london["journey_id"]}
    }
    BODIES[("POST", "/members/{member_id}/memberships")] = {
        # after the one the branch's member holds: one membership of a plan at a time
        "json": {"plan_id": plan_id, "starts_on": "2100-01-01"}
    }
    paths = api.client.get("/openapi.json").json()["paths"]
    operations = []
    for template, methods in paths.items():
        params = [p for p in re.findall(r"{(\w+)}", template) if p not in OTHER_PARAMS]
        if not params or not set(params) <= SCOPED or template in MEMBER_ROUTES | DEVICE_ROUTES:
            continue
        operations += [(method.upper(), template) for method in methods]
    operations.sort(key=lambda op: op[0] == "DELETE")
    walked = 0
    owners_only = []
    for method, template in operations:
        path = template.format(**accra, **OTHER_PARAMS)
        response = _request(api, method, path, manager, template)
        if response.status_code == 403 and "roles: owner" in response.json()["detail"]:
            owners_only.append(template)  # a matter of role, not of location
            continue
        assert response.status_code == 404, (method, template, response.status_code, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        own = _request(api, method, template.format(**london, **OTHER_PARAMS), manager, template)
        found = own.status_code < 400 or (template in STATE_DEPENDENT and own.status_code == 409)
        assert found, (method, template, own.status_code, own.text)
        walked += 1
    assert walked >= 35 and len(owners_only) <= 2, owners_only


def test_lists_and_bodies_keep_to_the_managers_locations(api: Api, container: Container) -> None:
    tenant = api.sign_up("lists-scoped")
    plan_id = _plan(api, tenant)
    london = _branch(api, tenant, "London", "Europe/London", plan_id)
    accra = _branch(api, tenant, "Accra", "Africa/Accra", plan_id)
    manager = _manager(api, tenant, london["location_id"])
    client = api.client
    accra_ids, london_ids = set(accra.values()), set(london.values())
    for path in (
        "/locations",
        "/devices",
        "/members",
        "/checkins",
        "/sessions",
        "/schedules",
        "/review-items",
        "/sales",
    ):
        listed = client.get(path, headers=manager)
        assert listed.status_code == 200, (path, listed.text)
        seen = {item["id"] for item in listed.json()["items"]} | {
            item.get("device_id", "") for item in listed.json()["items"]
        }
        assert seen & london_ids, path
        assert not seen & accra_ids, path
        # The owner sees both.
        everything = client.get(path, headers=tenant.headers).json()["items"]
        assert {item["id"] for item in everything} | {
            item.get("device_id", "") for item in everything
        } & accra_ids, path
    # The coaching list names members by member_id: London's only; the owner's both.
    coached = client.get("/coaching/members", headers=manager)
    assert coached.status_code == 200, coached.text
    coached_ids = {m["member_id"] for m in coached.json()["items"]}
    assert london["member_id"] in coached_ids and accra["member_id"] not in coached_ids
    coached_all = client.get("/coaching/members", headers=tenant.headers).json()["items"]
    assert {london["member_id"], accra["member_id"]} <= {m["member_id"] for m in coached_all}
    overview = client.get("/overview/today", headers=manager).json()
    assert [d["location_id"] for d in overview["locations"]] == [london["location_id"]]
    # Money too: the revenue report sums London's sales only; the owner's sums both.
    today = date.today()
    report = {
        "group_by": "location",
        "period": "month",
        "from": (today - timedelta(days=31)).isoformat(),
        "to": (today + timedelta(days=31)).isoformat(),
    }
    rows = client.get("/reports/revenue", params=report, headers=manager).json()["rows"]
    assert {r["group_id"] for r in rows} == {london["location_id"]}
    rows = client.get("/reports/revenue", params=report, headers=tenant.headers).json()["rows"]
    assert {r["group_id"] for r in rows} == {london["location_id"], accra["location_id"]}
    # The privacy log: the requests of London's members only; the owner's, both.
    for branch in (london, accra):
        exported = client.get(f"/members/{branch['member_id']}/data-export", headers=tenant.headers)
        assert exported.status_code == 200, exported.text
    # The audit log is tenant-wide and for owners: a manager of some locations is refused.
    assert client.get("/audit", headers=manager).status_code == 403
    logged = client.get("/privacy/requests", headers=manager).json()["items"]
    assert {r["member_id"] for r in logged} == {london["member_id"]}
    logged = client.get("/privacy/requests", headers=tenant.headers).json()["items"]
    assert {r["member_id"] for r in logged} == {london["member_id"], accra["member_id"]}
    for path in (
        f"/sessions?location_id={accra['location_id']}",
        f"/overview/today?location_id={accra['location_id']}",
        f"/checkins?location_id={accra['location_id']}",
        f"/sales?location_id={accra['location_id']}",
        f"/reports/members?from=2026-01-01&to=2026-03-31&location_id={accra['location_id']}",
        f"/reports/members?from=2026-01-01&to=2026-03-31&format=csv&location_id={accra['location_id']}",
    ):
        assert client.get(path, headers=manager).status_code == 404, path
    # Ids in bodies: another location is not found, and nothing is written.
    before = len(client.get("/sessions", headers=tenant.headers).json()["items"])
    refused = [
        client.post(
            "/sessions",
            json={
                "location_id": accra["location_id"],
                "session_type_id": accra["session_type_id"],
                "local_date": "2099-01-05",
                "local_start": "10:00",
            },
            headers=manager,
        ),
        client.post(
            "/checkins",
            json={
                "member_id": london["member_id"],
                "location_id": accra["location_id"],
                "method": "search",
            },
            headers=manager,
        ),
        client.post(
            "/staff",
            json={
                "name": "Ama",
                "email": "ama@lists-scoped.example",
                "role": "front_desk",
                "password": PASSWORD,
                "location_ids": [accra["location_id"]],
            },
            headers=manager,
        ),
        client.post(
            "/members",
            json={
                "first_name": "Yaw",
                "last_name": "Boateng",
                "home_location_id": accra["location_id"],
            },
            headers=manager,
        ),
        client.patch(
            f"/members/{london['member_id']}",
            json={"home_location_id": accra["location_id"]},
            headers=manager,
        ),
    ]
    assert [r.status_code for r in refused] == [404] * 5, [r.text for r in refused]
    assert client.get(f"/members/{london['member_id']}", headers=manager).status_code == 200
    assert len(client.get("/sessions", headers=tenant.headers).json()["items"]) == before
    # A limited manager cannot hand out the whole tenant, nor open a location.
    wide = client.post(
        "/staff",
        json={
            "name": "Ama",
            "email": "ama@lists-scoped.example",
            "role": "coach",
            "password": PASSWORD,
        },
        headers=manager,
    )
    assert wide.status_code == 403, wide.text
    opened = client.post(
        "/locations",
        json={"name": "Kumasi", "timezone": "Africa/Accra", "opening_hours": {}},
        headers=manager,
    )
    assert opened.status_code == 403, opened.text
    # Owners are always tenant-wide.
    owner = client.post(
        "/staff",
        json={
            "name": "Co Owner",
            "email": "co@lists-scoped.example",
            "role": "owner",
            "password": PASSWORD,
            "location_ids": [london["location_id"]],
        },
        headers=tenant.headers,
    )
    assert owner.status_code == 422 and owner.json()["code"] == "owner_tenant_wide", owner.text
    # An Accra member who visits London becomes one the London manager reaches.
    visitor = accra["member_id"]
    assert client.get(f"/members/{visitor}", headers=manager).status_code == 404
    visited = client.post(
        "/checkins",
        json={"member_id": visitor, "location_id": london["location_id"], "method": "search"},
        headers=tenant.headers,
    )
    assert visited.status_code == 201, visited.text
    assert client.get(f"/members/{visitor}", headers=manager).status_code == 200
    listed = {m["id"] for m in client.get("/members", headers=manager).json()["items"]}
    assert visitor in listed


def test_a_change_of_locations_takes_effect_on_the_next_request(
    api: Api, container: Container
) -> None:
    tenant = api.sign_up("scope-change")
    plan_id = _plan(api, tenant)
    london = _branch(api, tenant, "London", "Europe/London", plan_id)
    accra = _branch(api, tenant, "Accra", "Africa/Accra", plan_id)
    email = "mover@scope-change.example"
    staff = api.create_staff(tenant, "manager", email, location_ids=[london["location_id"]])
    headers = api.token_for(tenant.slug, email)
    assert api.client.get(f"/locations/{accra['location_id']}", headers=headers).status_code == 404
    widened = api.client.patch(
        f"/staff/{staff['id']}",
        json={"location_ids": [london["location_id"], accra["location_id"]]},
        headers=tenant.headers,
    )
    assert widened.status_code == 200, widened.text
    assert sorted(widened.json()["location_ids"]) == sorted(
        [london["location_id"], accra["location_id"]]
    )
    # The old token carries the old scope: it stops working; a new sign-in sees Accra.
    assert api.client.get("/locations", headers=headers).status_code == 401
    headers = api.token_for(tenant.slug, email)
    assert api.client.get(f"/locations/{accra['location_id']}", headers=headers).status_code == 200
    wide = api.client.patch(
        f"/staff/{staff['id']}", json={"location_ids": []}, headers=tenant.headers
    )
    assert wide.status_code == 200 and wide.json()["location_ids"] == []


def test_the_tile_library_is_tenant_wide_for_a_london_manager(
    api: Api, container: Container
) -> None:
    """Tiles belong to no location (``tile_id`` is not in SCOPED): a manager limited to
    London reads and keeps the whole library, as the owner does."""
    tenant = api.sign_up("scope-tiles")
    london = api.create_location(tenant, "London", timezone="Europe/London")
    manager = _manager(api, tenant, london["id"])
    loaded = api.client.post("/tiles/starter", headers=tenant.headers)
    assert loaded.status_code == 200 and loaded.json()["added"] == 8, loaded.text
    listed = api.client.get("/tiles", headers=manager)
    assert len(listed.json()["items"]) == 8
    tile_id = listed.json()["items"][0]["id"]
    changed = api.client.patch(f"/tiles/{tile_id}", json={"minutes": 6}, headers=manager)
    assert changed.status_code == 200, changed.text
    archived = api.client.post(f"/tiles/{tile_id}/archive", headers=manager)
    assert archived.status_code == 200 and archived.json()["archived_at"]
    assert "tile_id" not in SCOPED


def test_the_prescription_profiles_are_tenant_wide_for_a_london_manager(
    api: Api, container: Container
) -> None:
    """Profiles belong to no location (``profile_id`` is not in SCOPED): a manager limited
    to London reads, edits and archives the tenant's profiles, and a session type there may
    follow one."""
    tenant = api.sign_up("scope-profiles")
    london = api.create_location(tenant, "London", timezone="Europe/London")
    manager = _manager(api, tenant, london["id"])
    listed = api.client.get("/prescription-profiles", headers=manager)
    assert listed.status_code == 200 and listed.json()["items"], listed.text
    profile_id = listed.json()["items"][0]["id"]
    changed = api.client.patch(
        f"/prescription-profiles/{profile_id}", json={"notes": "Ours now."}, headers=manager
    )
    assert changed.status_code == 200 and changed.json()["current_version"] == 2, changed.text
    typed = api.client.post(
        "/session-types",
        json={
            "name": "Gentle strength",
            "kind": "class",
            "category": "strength",
            "duration_minutes": 45,
            "default_capacity": 10,
            "profile_id": profile_id,
        },
        headers=manager,
    )
    assert typed.status_code == 201 and typed.json()["profile_id"] == profile_id, typed.text
    archived = api.client.post(f"/prescription-profiles/{profile_id}/archive", headers=manager)
    assert archived.status_code == 200 and archived.json()["archived_at"]
    assert "profile_id" not in SCOPED
