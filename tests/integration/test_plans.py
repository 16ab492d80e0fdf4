"""Access plans: validation, roles, tenancy; memberships and their state changes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from server.bootstrap import Container
from tests.integration.helpers import Api
from tests.integration.plans_helpers import DAY_PASS, MONTHLY, PACK, open_desk

# Every rule and its wording is unit-tested (tests/unit/test_plan_rules.py). Here: that the
# route applies them (a consistency rule, a field limit, an unknown field), answers with a
# problem document and stores nothing. The database plays no part in it: SQLite only.
REFUSED_BY_THE_ROUTE: list[tuple[dict[str, Any], str]] = [
    ({**MONTHLY, "billing_period": None}, "a recurring plan needs a billing_period"),
    ({**PACK, "credits": 0}, "credits: Input should be greater than or equal to 1"),
    ({**MONTHLY, "colour": "red"}, "colour: Extra inputs are not permitted"),
]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_inconsistent_plans_are_refused_with_a_readable_reason(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "plans-gym")
    for body, message in REFUSED_BY_THE_ROUTE:
        response = api.client.post("/plans", json=body, headers=desk.admin)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert message in response.json()["detail"]
    assert api.client.get("/plans", headers=desk.admin).json()["items"] == []


def test_plans_of_every_kind_and_their_reads(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "kinds-gym")
    other = api.create_location(desk.tenant, "Labone")
    monthly = desk.plan(
        MONTHLY,
        location_rule="listed",
        location_ids=[desk.location["id"], other["id"], other["id"]],
        visit_limit=8,
        visit_limit_period="month",
        visit_limit_mode="warn",
    )
    pack = desk.plan(PACK)
    day = desk.plan(DAY_PASS)
    body = api.client.get(f"/plans/{monthly}", headers=desk.desk).json()
    assert body["price"] == "45.00" and body["currency"] == "GBP"
    assert body["location_ids"] == [desk.location["id"], other["id"]]
    assert (body["visit_limit"], body["visit_limit_period"], body["visit_limit_mode"]) == (
        8,
        "month",
        "warn",
    )
    assert api.client.get(f"/plans/{day}", headers=desk.desk).json()["validity_days"] == 1
    packs = api.client.get("/plans?kind=class_pack", headers=desk.desk).json()["items"]
    assert [p["id"] for p in packs] == [pack]
    assert len(api.client.get("/plans", headers=desk.desk).json()["items"]) == 3


def test_listed_locations_must_be_the_tenants_own(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "listed-gym")
    elsewhere = open_desk(api, container, "elsewhere-gym")
    response = api.client.post(
        "/plans",
        json={**MONTHLY, "location_rule": "listed", "location_ids": [elsewhere.location["id"]]},
        headers=desk.admin,
    )
    assert response.status_code == 404
    assert "location" in response.json()["detail"]


def test_only_admins_write_plans_and_any_staff_reads(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "roles-gym")
    coach = api.create_staff(desk.tenant, "coach", "coach@roles-gym.example")
    assert coach["role"] == "coach"
    coach_headers = api.token_for("roles-gym", "coach@roles-gym.example")
    for headers in (desk.desk, coach_headers, desk.kiosk):
        assert api.client.post("/plans", json=MONTHLY, headers=headers).status_code == 403
    plan = desk.plan(MONTHLY)
    assert api.client.get(f"/plans/{plan}", headers=coach_headers).status_code == 200
    patch = api.client.patch(f"/plans/{plan}", json={"name": "x"}, headers=desk.desk)
    assert patch.status_code == 403
    assert api.client.get("/plans").status_code == 401


def test_patch_revalidates_the_whole_plan(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "patch-gym")
    plan = desk.plan(MONTHLY, visit_limit=8, visit_limit_period="month")
    url = f"/plans/{plan}"
    bad = api.client.patch(url, json={"credits": 3}, headers=desk.admin)
    assert bad.status_code == 422 and "credits are for class packs only" in bad.json()["detail"]
    half = api.client.patch(url, json={"visit_limit": None}, headers=desk.admin)
    assert half.status_code == 422
    assert "give visit_limit and visit_limit_period together" in half.json()["detail"]
    cleared = api.client.patch(
        url, json={"visit_limit": None, "visit_limit_period": None}, headers=desk.admin
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["visit_limit_mode"] is None
    changed = api.client.patch(
        url, json={"price": 50, "name": "Monthly plus", "active": False}, headers=desk.admin
    ).json()
    assert (changed["price"], changed["name"], changed["active"]) == (
        "50.00",
        "Monthly plus",
        False,
    )
    assert api.client.patch(url, json={"kind": "class_pack"}, headers=desk.admin).status_code == 422
    # An inactive plan is no longer sold.
    member = desk.member()
    sold = api.client.post(
        f"/members/{member}/memberships",
        json={"plan_id": plan, "starts_on": "2026-01-01"},
        headers=desk.desk,
    )
    assert sold.status_code == 409 and "no longer sold" in sold.json()["detail"]


def test_other_tenants_plans_and_memberships_are_not_found(api: Api, container: Container) -> None:
    mine = open_desk(api, container, "mine-gym")
    theirs = open_desk(api, container, "theirs-gym")
    their_plan = theirs.plan(MONTHLY)
    their_member = theirs.member()
    their_membership = theirs.membership(their_member, their_plan)["id"]
    my_plan = mine.plan(MONTHLY)
    my_member = mine.member()
    checks = [
        api.client.get(f"/plans/{their_plan}", headers=mine.admin),
        api.client.patch(f"/plans/{their_plan}", json={"name": "mine"}, headers=mine.admin),
        api.client.get(f"/members/{their_member}/memberships", headers=mine.admin),
        api.client.get(f"/memberships/{their_membership}", headers=mine.admin),
        api.client.post(
            f"/memberships/{their_membership}/freeze",
            json={"until": "2099-01-01"},
            headers=mine.admin,
        ),
        api.client.post(f"/memberships/{their_membership}/cancel", headers=mine.admin),
        # Their plan for my member, my plan for their member.
        api.client.post(
            f"/members/{my_member}/memberships",
            json={"plan_id": their_plan, "starts_on": "2026-01-01"},
            headers=mine.admin,
        ),
        api.client.post(
            f"/members/{their_member}/memberships",
            json={"plan_id": my_plan, "starts_on": "2026-01-01"},
            headers=mine.admin,
        ),
    ]
    assert [r.status_code for r in checks] == [404] * len(checks), [r.text for r in checks]
    assert (
        api.client.get(f"/members/{my_member}/memberships", headers=mine.admin).json()["items"]
        == []
    )
    unchanged = api.client.get(f"/memberships/{their_membership}", headers=theirs.admin).json()
    assert unchanged["status"] == "active"


def test_membership_defaults_come_from_the_plan(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "defaults-gym")
    member = desk.member()
    # Recurring memberships renew every period until cancelled: no end unless given.
    monthly = desk.membership(member, desk.plan(MONTHLY), starts_on="2026-01-31")
    assert (monthly["ends_on"], monthly["status"]) == (None, "active")
    yearly = desk.membership(
        member, desk.plan(MONTHLY, billing_period="year"), starts_on="2026-03-01"
    )
    assert yearly["ends_on"] is None
    pack = desk.membership(member, desk.plan(PACK), starts_on="2026-01-01")
    assert (pack["ends_on"], pack["credits_remaining"]) == ("2026-03-31", 5)
    day = desk.membership(member, desk.plan(DAY_PASS), starts_on="2026-01-01")
    assert day["ends_on"] == "2026-01-01" and day["status"] == "expired"
    chosen = desk.membership(member, desk.plan(MONTHLY), ends_on="2099-12-31")
    assert chosen["ends_on"] == "2099-12-31" and chosen["status"] == "active"
    future = desk.membership(member, desk.plan(MONTHLY), starts_on="2099-01-01")
    assert future["status"] == "pending"
    listed = api.client.get(f"/members/{member}/memberships", headers=desk.desk).json()["items"]
    assert len(listed) == 6 and {m["plan_kind"] for m in listed} == {
        "recurring",
        "class_pack",
        "day_pass",
    }
    bad = api.client.post(
        f"/members/{member}/memberships",
        json={"plan_id": desk.plan(MONTHLY), "starts_on": "2026-02-01", "ends_on": "2026-01-01"},
        headers=desk.desk,
    )
    assert bad.status_code == 422 and "ends_on cannot be before starts_on" in bad.json()["detail"]


def test_a_home_only_plan_needs_a_home(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "home-gym")
    plan = desk.plan(MONTHLY, location_rule="home")
    homeless = api.client.post(
        f"/members/{desk.member()}/memberships",
        json={"plan_id": plan, "starts_on": "2026-01-01"},
        headers=desk.desk,
    )
    assert homeless.status_code == 422 and "give home_location_id" in homeless.json()["detail"]
    housed = desk.membership(desk.member(), plan, home_location_id=desk.location["id"])
    assert housed["home_location_id"] == desk.location["id"]


def test_freeze_unfreeze_cancel(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "states-gym")
    membership = desk.membership(desk.member(), desk.plan(MONTHLY), ends_on="2099-12-31")["id"]
    url = f"/memberships/{membership}"
    until = (date.today() + timedelta(days=20)).isoformat()

    def act(action: str, body: dict[str, Any] | None = None) -> Any:
        return api.client.post(f"{url}/{action}", json=body, headers=desk.desk)

    assert act("unfreeze").status_code == 409
    assert "not frozen" in act("unfreeze").json()["detail"]
    past = act("freeze", {"until": date.today().isoformat()})
    assert past.status_code == 422 and "a day after today" in past.json()["detail"]
    frozen = act("freeze", {"until": until})
    assert frozen.status_code == 200, frozen.text
    assert (frozen.json()["status"], frozen.json()["frozen_until"]) == ("frozen", until)
    again = act("freeze", {"until": until})
    assert again.status_code == 409 and "already frozen until" in again.json()["detail"]
    thawed = act("unfreeze")
    assert thawed.status_code == 200 and thawed.json()["status"] == "active"
    assert thawed.json()["frozen_until"] is None
    cancelled = act("cancel", {"reason": "moving to Kumasi"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert act("cancel").json()["detail"] == "this membership is already cancelled"
    refused = act("freeze", {"until": until})
    assert refused.status_code == 409
    assert refused.json()["detail"] == "a cancelled membership cannot be frozen"
    assert act("unfreeze").status_code == 409
    assert api.client.get(url, headers=desk.desk).json()["status"] == "cancelled"
    # A coach may look but not change.
    api.create_staff(desk.tenant, "coach", "coach@states-gym.example")
    coach = api.token_for("states-gym", "coach@states-gym.example")
    assert api.client.get(url, headers=coach).status_code == 200
    assert api.client.post(f"{url}/unfreeze", headers=coach).status_code == 403


def test_an_expired_membership_cannot_be_frozen_or_cancelled(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "expired-gym")
    old = desk.membership(
        desk.member(), desk.plan(MONTHLY), starts_on="2020-06-01", ends_on="2020-06-30"
    )
    assert old["status"] == "expired"
    url = f"/memberships/{old['id']}"
    frozen = api.client.post(f"{url}/freeze", json={"until": "2099-01-01"}, headers=desk.desk)
    assert frozen.status_code == 409
    assert frozen.json()["detail"] == "this membership expired on 30 June 2020; it cannot be frozen"
    assert api.client.post(f"{url}/cancel", headers=desk.desk).status_code == 409
