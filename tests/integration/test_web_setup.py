"""The console's Set-up: each kind made and changed through its form and read back through
the API; bad input shown next to its field with nothing stored; who may open the pages;
other tenants' ids; CSRF on every form; a location-limited manager's view."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.bootstrap import Container
from server.main import create_app
from tests.integration.helpers import PASSWORD, Api, Tenant
from tests.integration.outbox_helpers import subscribe
from tests.integration.web_helpers import csrf_of, staff_signs_in

SLUG = "setup-gym"
OWNER = f"owner@{SLUG}.example"


@pytest.fixture
def tenant(api: Api) -> Tenant:
    return api.sign_up(SLUG)


@pytest.fixture
def location(api: Api, tenant: Tenant) -> dict[str, Any]:
    return api.create_location(tenant, "Central")


def _browser(container: Container) -> TestClient:
    return TestClient(create_app(container=container), raise_server_exceptions=False)


@pytest.fixture
def owner(container: Container, tenant: Tenant) -> Iterator[TestClient]:
    with _browser(container) as client:
        assert staff_signs_in(client, SLUG, OWNER, PASSWORD).status_code == 303
        yield client


def _signed_in(container: Container, email: str) -> TestClient:
    client = _browser(container)
    client.__enter__()
    assert staff_signs_in(client, SLUG, email, PASSWORD).status_code == 303
    return client


def submit(client: TestClient, page: str, action: str | None = None, **fields: Any) -> Any:
    """Opens ``page`` and posts its form (to ``action``, default the page) with ``fields``."""
    shown = client.get(page)
    assert shown.status_code == 200, shown.text
    return client.post(
        action or page, data={"csrf": csrf_of(shown.text), **fields}, follow_redirects=False
    )


def _made_id(response: Any, key: str) -> str:
    assert response.status_code == 303, response.text
    found = re.match(
        rf"/manage/setup/{key}/([0-9a-f-]{{36}})\?saved=1", response.headers["location"]
    )
    assert found, response.headers["location"]
    return found.group(1)


def _field_error(html: str, name: str) -> str:
    found = re.search(
        rf'data-field="{name}">.*?class="alert field-error"[^>]*>([^<]*)<', html, re.S
    )
    assert found, html
    return found.group(1)


_HOURS = {f"opening_hours.{d}": "" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _location_form(**changes: str) -> dict[str, str]:
    return {
        "name": "Osu",
        "timezone": "Africa/Accra",
        "locale": "en_GH",
        "capacity": "40",
        "address": "12 Oxford Street",
        "contact_email": "",
        "contact_phone": "",
        "currency": "GHS",
        **_HOURS,
        "opening_hours.mon": "06:00-12:00, 14:00-22:00",
        "opening_hours.sat": "8:00-12:00",
        **changes,
    }


def test_a_location_is_made_and_changed_through_its_form(
    api: Api, tenant: Tenant, owner: TestClient
) -> None:
    made = submit(owner, "/manage/setup/locations/new", **_location_form(locale="en_US"))
    location_id = _made_id(made, "locations")
    read = api.client.get(f"/locations/{location_id}", headers=tenant.headers).json()
    assert (read["name"], read["timezone"], read["locale"], read["capacity"]) == (
        "Osu",
        "Africa/Accra",
        "en_US",
        40,
    )
    assert read["opening_hours"]["mon"] == [
        {"opens": "06:00", "closes": "12:00"},
        {"opens": "14:00", "closes": "22:00"},
    ]
    assert read["opening_hours"]["sat"] == [{"opens": "08:00", "closes": "12:00"}]
    page = f"/manage/setup/locations/{location_id}"
    shown = owner.get(page)
    assert 'value="06:00-12:00, 14:00-22:00"' in shown.text
    assert '<option value="en_US" selected>' in shown.text
    changed = submit(owner, page, **_location_form(name="Osu East", locale="fr_CI"))
    assert changed.status_code == 303
    read = api.client.get(f"/locations/{location_id}", headers=tenant.headers).json()
    assert (read["name"], read["locale"]) == ("Osu East", "fr_CI")
    listed = owner.get("/manage/setup/locations")
    assert listed.status_code == 200 and "Osu East" in listed.text


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("timezone", "Mars/Olympus", "Mars/Olympus"),
        ("opening_hours.mon", "22:00-06:00", "Monday: Closing time 06:00 must be after"),
        ("opening_hours.mon", "all day", "is not a time range"),
        ("name", "", "Enter the name"),
        ("capacity", "0", "greater than or equal to 1"),
    ],
)
def test_a_bad_location_is_shown_again_with_the_message_and_not_stored(
    api: Api, tenant: Tenant, owner: TestClient, field: str, value: str, said: str
) -> None:
    refused = submit(owner, "/manage/setup/locations/new", **_location_form(**{field: value}))
    assert refused.status_code == 422
    assert said in _field_error(refused.text, field.split(".")[0])
    assert 'value="12 Oxford Street"' not in refused.text  # a textarea: kept as its content
    assert "12 Oxford Street</textarea>" in refused.text
    listed = api.client.get("/locations", headers=tenant.headers).json()["items"]
    assert listed == []


def test_a_bad_edit_changes_nothing(
    api: Api, tenant: Tenant, owner: TestClient, location: dict[str, Any]
) -> None:
    page = f"/manage/setup/locations/{location['id']}"
    refused = submit(owner, page, **_location_form(name="Renamed", locale="xx_NOWHERE"))
    assert refused.status_code == 422
    assert "not a known locale" in _field_error(refused.text, "locale")
    read = api.client.get(f"/locations/{location['id']}", headers=tenant.headers).json()
    assert (read["name"], read["locale"]) == ("Central", "en_GB")


def test_closures_are_added_and_removed(
    api: Api, tenant: Tenant, owner: TestClient, location: dict[str, Any]
) -> None:
    page = f"/manage/setup/locations/{location['id']}"
    action = f"{page}/closures"
    bad = submit(owner, page, action, name="Xmas", starts_on="2030-12-26", ends_on="2030-12-24")
    assert bad.status_code == 422
    assert "“Last day” cannot be before “first day”" in bad.text
    closures_url = f"/locations/{location['id']}/closures"
    assert api.client.get(closures_url, headers=tenant.headers).json()["items"] == []
    added = submit(
        owner, page, action, name="Xmas", starts_on="2030-12-25", ends_on="", hours="10:00-14:00"
    )
    assert added.status_code == 303
    items = api.client.get(closures_url, headers=tenant.headers).json()["items"]
    assert [(c["name"], c["starts_on"], c["closed"]) for c in items] == [
        ("Xmas", "2030-12-25", False)
    ]
    assert items[0]["hours"] == [{"opens": "10:00", "closes": "14:00"}]
    shown = owner.get(page)
    assert f'data-closure="{items[0]["id"]}"' in shown.text
    removed = submit(owner, page, f"{action}/{items[0]['id']}/remove")
    assert removed.status_code == 303
    assert api.client.get(closures_url, headers=tenant.headers).json()["items"] == []


def _plan_form(**changes: str) -> dict[str, str]:
    return {
        "name": "Monthly",
        "kind": "recurring",
        "price": "45.50",
        "currency": "GBP",
        "billing_period": "month",
        "credits": "",
        "validity_days": "",
        "location_rule": "all",
        "visit_limit": "",
        "visit_limit_period": "",
        "visit_limit_mode": "",
        "time_windows": "",
        "active": "on",
        **changes,
    }


def test_a_plan_is_made_changed_and_archived(
    api: Api, tenant: Tenant, owner: TestClient, location: dict[str, Any]
) -> None:
    made = submit(
        owner,
        "/manage/setup/plans/new",
        **_plan_form(
            time_windows="mon tue wed 10:00-16:00\nsat 8:00-12:00",
            location_rule="listed",
            **{f"location_ids.{location['id']}": "on"},
        ),
    )
    plan_id = _made_id(made, "plans")
    read = api.client.get(f"/plans/{plan_id}", headers=tenant.headers).json()
    assert (read["kind"], read["price"], read["billing_period"], read["location_rule"]) == (
        "recurring",
        "45.50",
        "month",
        "listed",
    )
    assert read["location_ids"] == [location["id"]]
    assert read["time_windows"] == [
        {"days": ["mon", "tue", "wed"], "starts": "10:00", "ends": "16:00"},
        {"days": ["sat"], "starts": "08:00", "ends": "12:00"},
    ]
    page = f"/manage/setup/plans/{plan_id}"
    edit = _plan_form(name="Monthly plus", price="50", location_rule="all", time_windows="")
    del edit["kind"], edit["active"]
    assert submit(owner, page, **edit).status_code == 303
    read = api.client.get(f"/plans/{plan_id}", headers=tenant.headers).json()
    assert (read["name"], read["price"], read["active"], read["time_windows"]) == (
        "Monthly plus",
        "50.00",
        False,
        [],
    )
    listed = owner.get("/manage/setup/plans")
    assert "Monthly plus" in listed.text and "Archived" in listed.text


def test_a_bad_plan_is_refused_with_the_services_words(
    api: Api, tenant: Tenant, owner: TestClient
) -> None:
    refused = submit(owner, "/manage/setup/plans/new", **_plan_form(billing_period=""))
    assert refused.status_code == 422
    assert "billing" in refused.text.lower() and 'role="alert"' in refused.text
    priced = submit(owner, "/manage/setup/plans/new", **_plan_form(price="-3"))
    assert priced.status_code == 422
    assert "greater than or equal to 0" in _field_error(priced.text, "price")
    windows = submit(owner, "/manage/setup/plans/new", **_plan_form(time_windows="funday 9-5"))
    assert windows.status_code == 422
    assert "is not a window" in _field_error(windows.text, "time_windows")
    assert api.client.get("/plans", headers=tenant.headers).json()["items"] == []


def _type_form(**changes: str) -> dict[str, str]:
    return {
        "name": "Morning HIIT",
        "kind": "class",
        "category": "HIIT",
        "description": "",
        "duration_minutes": "45",
        "default_capacity": "20",
        "intensity": "high",
        "primary_goal": "endurance",
        "contraindications": "pregnancy\nrecent knee surgery",
        "suggested_per_week": "3",
        "active": "on",
        **changes,
    }


def test_a_session_type_and_its_instructors(api: Api, tenant: Tenant, owner: TestClient) -> None:
    coach = api.create_staff(tenant, "coach", f"coach@{SLUG}.example")
    made = submit(owner, "/manage/setup/session-types/new", **_type_form())
    type_id = _made_id(made, "session-types")
    read = api.client.get(f"/session-types/{type_id}", headers=tenant.headers).json()
    assert (read["intensity"], read["primary_goal"], read["suggested_per_week"]) == (
        "high",
        "endurance",
        3,
    )
    assert read["contraindications"] == ["pregnancy", "recent knee surgery"]
    page = f"/manage/setup/session-types/{type_id}"
    changed = submit(owner, page, **_type_form(intensity="low", contraindications=""))
    assert changed.status_code == 303
    read = api.client.get(f"/session-types/{type_id}", headers=tenant.headers).json()
    assert (read["intensity"], read["contraindications"]) == ("low", [])
    bad = submit(owner, page, **_type_form(suggested_per_week="20"))
    assert bad.status_code == 422
    assert "less than or equal to 14" in _field_error(bad.text, "suggested_per_week")
    set_them = submit(owner, page, f"{page}/instructors", **{f"staff.{coach['id']}": "on"})
    assert set_them.status_code == 303
    leaders = api.client.get(f"/session-types/{type_id}/instructors", headers=tenant.headers)
    assert [i["id"] for i in leaders.json()["instructors"]] == [coach["id"]]


def test_staff_are_made_given_a_role_and_deactivated(
    api: Api, tenant: Tenant, owner: TestClient, location: dict[str, Any]
) -> None:
    made = submit(
        owner,
        "/manage/setup/staff/new",
        name="Dede Desk",
        email=f"dede@{SLUG}.example",
        role="front_desk",
        password="a long first password",
        pin="4821",
        home_location_id=location["id"],
        **{f"location_ids.{location['id']}": "on"},
    )
    staff_id = _made_id(made, "staff")
    read = api.client.get(f"/staff/{staff_id}", headers=tenant.headers).json()
    assert (read["role"], read["has_pin"], read["location_ids"]) == (
        "front_desk",
        True,
        [location["id"]],
    )
    page = f"/manage/setup/staff/{staff_id}"
    short_pin = submit(owner, page, name="Dede", role="manager", pin="", home_location_id="")
    assert short_pin.status_code == 422
    assert "PIN of a manager must have at least 6 digits" in short_pin.text
    assert api.client.get(f"/staff/{staff_id}", headers=tenant.headers).json()["role"] == (
        "front_desk"
    )
    changed = submit(owner, page, name="Dede", role="manager", pin="482193", home_location_id="")
    assert changed.status_code == 303
    read = api.client.get(f"/staff/{staff_id}", headers=tenant.headers).json()
    assert (read["role"], read["active"], read["has_pin"], read["location_ids"]) == (
        "manager",
        False,
        True,
        [],
    )
    assert api.login(SLUG, f"dede@{SLUG}.example", "a long first password").status_code == 401


def test_bad_staff_input_and_the_owner_cannot_lock_themselves_out(
    api: Api, tenant: Tenant, owner: TestClient
) -> None:
    short = submit(
        owner,
        "/manage/setup/staff/new",
        name="X",
        email=f"x@{SLUG}.example",
        role="coach",
        password="short",
    )
    assert short.status_code == 422
    assert "at least 10" in _field_error(short.text, "password")
    assert len(api.client.get("/staff", headers=tenant.headers).json()["items"]) == 1
    myself = f"/manage/setup/staff/{tenant.owner_id}"
    locked = submit(owner, myself, name="Olu Owner", role="owner")  # "active" left unticked
    assert locked.status_code == 403
    assert "cannot deactivate yourself" in locked.text
    read = api.client.get(f"/staff/{tenant.owner_id}", headers=tenant.headers).json()
    assert read["active"] is True


def test_the_tenant_profile_and_booking_policy(api: Api, tenant: Tenant, owner: TestClient) -> None:
    profile = "/manage/setup/profile"
    bad = submit(owner, profile, name="New name", currency="pounds", contact_email="")
    assert bad.status_code == 422 and _field_error(bad.text, "currency")
    assert api.client.get("/tenant", headers=tenant.headers).json()["name"] == f"{SLUG} gym"
    saved = submit(owner, profile, name="New name", currency="GBP", contact_email="hi@x.example")
    assert saved.status_code == 303
    read = api.client.get("/tenant", headers=tenant.headers).json()
    assert (read["name"], read["contact_email"]) == ("New name", "hi@x.example")
    policy = "/manage/setup/policy"
    fields = {
        "opens_days_before": "7",
        "closes_minutes_before": "30",
        "late_cancel_minutes": "240",
        "late_cancel_fee": "5.00",
        "no_show_fee": "",
        "no_show_forfeits_credit": "on",
        "currency": "",
        "grace_allowance": "2",
        "grace_period_days": "60",
        "late_after_minutes": "15",
    }
    bad = submit(owner, policy, **{**fields, "opens_days_before": "-1"})
    assert bad.status_code == 422
    assert "greater than or equal to 0" in _field_error(bad.text, "opens_days_before")
    assert (
        api.client.get("/booking-policy", headers=tenant.headers).json()["opens_days_before"] == 14
    )
    assert submit(owner, policy, **fields).status_code == 303
    read = api.client.get("/booking-policy", headers=tenant.headers).json()
    assert (
        read["opens_days_before"],
        read["late_cancel_fee"],
        read["late_cancel_forfeits_credit"],
    ) == (
        7,
        "5.00",
        False,
    )
    assert (read["no_show_fee"], read["grace_allowance"]) == (None, 2)


def test_kiosks_get_a_code_once_and_are_revoked(
    api: Api, tenant: Tenant, owner: TestClient, location: dict[str, Any]
) -> None:
    made = submit(
        owner, "/manage/setup/kiosks", "/manage/setup/kiosks/codes", location_id=location["id"]
    )
    assert made.status_code == 201
    code = re.search(r"<p class=\"code\" data-code>([^<]+)<", made.text)
    assert code, made.text
    enrolled = api.client.post("/devices/enrol", json={"code": code.group(1), "name": "Desk 1"})
    assert enrolled.status_code == 201
    device_id = enrolled.json()["device_id"]
    listed = owner.get("/manage/setup/kiosks")
    assert f'data-device="{device_id}"' in listed.text and "data-code" not in listed.text
    revoked = submit(owner, "/manage/setup/kiosks", f"/manage/setup/kiosks/{device_id}/revoke")
    assert revoked.status_code == 303
    read = api.client.get(f"/devices/{device_id}", headers=tenant.headers).json()
    assert read["revoked_at"] is not None


SETUP_PAGES = [
    "/manage/setup",
    "/manage/setup/profile",
    "/manage/setup/policy",
    "/manage/setup/kiosks",
    "/manage/setup/payments",
    "/manage/setup/locations",
    "/manage/setup/locations/new",
    "/manage/setup/plans",
    "/manage/setup/plans/new",
    "/manage/setup/session-types",
    "/manage/setup/session-types/new",
    "/manage/setup/staff",
    "/manage/setup/staff/new",
    "/manage/setup/messages",
    "/manage/setup/webhooks",
]


@pytest.mark.parametrize("role", ["front_desk", "coach"])
def test_front_desk_and_coaches_are_refused_every_setup_page(
    api: Api,
    tenant: Tenant,
    container: Container,
    owner: TestClient,
    location: dict[str, Any],
    role: str,
) -> None:
    email = f"{role}@{SLUG}.example"
    api.create_staff(tenant, role, email)
    token = csrf_of(owner.get("/manage/setup/locations/new").text)
    client = _signed_in(container, email)
    try:
        for page in [*SETUP_PAGES, f"/manage/setup/locations/{location['id']}"]:
            shown = client.get(page)
            assert shown.status_code == 403, page
            assert "Set-up is for owners and managers" in shown.text
        client.cookies.update({"zmos_csrf": owner.cookies["zmos_csrf"]})
        posted = client.post(
            "/manage/setup/locations/new", data={"csrf": token, **_location_form()}
        )
        assert posted.status_code == 403
        assert len(api.client.get("/locations", headers=tenant.headers).json()["items"]) == 1
    finally:
        client.__exit__(None, None, None)


def test_every_form_needs_its_csrf_token(
    api: Api, tenant: Tenant, owner: TestClient, location: dict[str, Any]
) -> None:
    loc = location["id"]
    actions = [
        "/manage/setup/locations/new",
        f"/manage/setup/locations/{loc}",
        f"/manage/setup/locations/{loc}/closures",
        f"/manage/setup/locations/{loc}/closures/{uuid.uuid4()}/remove",
        "/manage/setup/plans/new",
        "/manage/setup/session-types/new",
        f"/manage/setup/session-types/{uuid.uuid4()}/instructors",
        "/manage/setup/staff/new",
        f"/manage/setup/staff/{tenant.owner_id}",
        "/manage/setup/profile",
        "/manage/setup/policy",
        "/manage/setup/kiosks/codes",
        f"/manage/setup/kiosks/{uuid.uuid4()}/revoke",
        f"/manage/setup/messages/{uuid.uuid4()}/retry",
        f"/manage/setup/webhooks/{uuid.uuid4()}/mode",
        "/manage/setup/payments/stripe",
    ]
    for action in actions:
        for token in ("", "forged"):
            refused = owner.post(action, data={"csrf": token, "name": "Forged", "location_id": loc})
            assert refused.status_code == 403, action
            assert "This form has expired" in refused.text
    assert api.client.get(f"/locations/{loc}", headers=tenant.headers).json()["name"] == "Central"
    assert api.client.get("/tenant", headers=tenant.headers).json()["name"] == f"{SLUG} gym"


def test_another_tenants_ids_are_not_found(
    api: Api, tenant: Tenant, owner: TestClient, location: dict[str, Any]
) -> None:
    other = api.sign_up("other-setup-gym")
    theirs = api.create_location(other, "Theirs")
    plan = api.client.post(
        "/plans",
        json={"name": "Day", "kind": "day_pass", "price": "5", "currency": "GBP"},
        headers=other.headers,
    ).json()
    kind = api.client.post(
        "/session-types",
        json={
            "name": "Yoga",
            "kind": "class",
            "category": "yoga",
            "duration_minutes": 60,
            "default_capacity": 10,
            "intensity": "low",
        },
        headers=other.headers,
    ).json()
    device = api.enrol_device(other, theirs["id"])
    hook = subscribe(api, other, "https://hooks.example.com/zmos")
    pages = [
        f"/manage/setup/locations/{theirs['id']}",
        f"/manage/setup/plans/{plan['id']}",
        f"/manage/setup/session-types/{kind['id']}",
        f"/manage/setup/staff/{other.owner_id}",
        "/manage/setup/staff/not-an-id",
        "/manage/setup/nothing-here",
    ]
    for page in pages:
        assert owner.get(page).status_code == 404, page
    token = csrf_of(owner.get("/manage/setup").text)
    posts = {
        f"/manage/setup/locations/{theirs['id']}": _location_form(),
        f"/manage/setup/locations/{theirs['id']}/closures": {
            "name": "X",
            "starts_on": "2030-01-01",
        },
        f"/manage/setup/plans/{plan['id']}": {"name": "Mine now"},
        f"/manage/setup/staff/{other.owner_id}": {"name": "Mine now", "role": "coach"},
        f"/manage/setup/session-types/{kind['id']}/instructors": {},
        f"/manage/setup/kiosks/{device['device_id']}/revoke": {},
        "/manage/setup/kiosks/codes": {"location_id": theirs["id"]},
        f"/manage/setup/webhooks/{hook['id']}/mode": {"content_mode": "batch"},
        f"/manage/setup/messages/{uuid.uuid4()}/retry": {},
        "/manage/setup/messages/not-an-id/retry": {},
    }
    for action, fields in posts.items():
        assert owner.post(action, data={"csrf": token, **fields}).status_code == 404, action
    read_hook = api.client.get(f"/webhooks/subscriptions/{hook['id']}", headers=other.headers)
    assert read_hook.json()["content_mode"] == "structured"
    assert api.client.get(f"/plans/{plan['id']}", headers=other.headers).json()["name"] == "Day"
    read = api.client.get(f"/devices/{device['device_id']}", headers=other.headers).json()
    assert read["revoked_at"] is None


def test_a_manager_limited_to_one_location_sees_only_it(
    api: Api, tenant: Tenant, container: Container, location: dict[str, Any]
) -> None:
    accra = api.create_location(tenant, "Accra", timezone="Africa/Accra")
    email = f"manager@{SLUG}.example"
    api.create_staff(tenant, "manager", email, location_ids=[location["id"]])
    api.enrol_device(tenant, accra["id"], name="Accra desk")
    client = _signed_in(container, email)
    try:
        listed = client.get("/manage/setup/locations")
        assert listed.status_code == 200
        assert "Central" in listed.text and "Accra" not in listed.text
        assert client.get(f"/manage/setup/locations/{accra['id']}").status_code == 404
        kiosks = client.get("/manage/setup/kiosks")
        assert "Accra desk" not in kiosks.text and "Accra" not in kiosks.text
        token = csrf_of(listed.text)
        renamed = client.post(
            f"/manage/setup/locations/{accra['id']}",
            data={"csrf": token, **_location_form(name="Taken over")},
        )
        assert renamed.status_code == 404
        assert (
            api.client.get(f"/locations/{accra['id']}", headers=tenant.headers).json()["name"]
            == "Accra"
        )
        new = submit(client, "/manage/setup/locations/new", **_location_form())
        assert new.status_code == 403
        assert "limited to some locations" in new.text
        profile = submit(client, "/manage/setup/profile", name="Mine", currency="GBP")
        assert profile.status_code == 403
    finally:
        client.__exit__(None, None, None)
