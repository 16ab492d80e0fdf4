"""Check-ins through the API: every decision path, overrides, kiosks, tenancy, concurrency."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from server.bootstrap import Container
from server.engagement.models import MovementEvent
from tests.integration.helpers import Api
from tests.integration.outbox_helpers import recorded
from tests.integration.plans_helpers import MONTHLY, PACK, Desk, open_desk


@pytest.fixture
def desk(api: Api, container: Container) -> Desk:
    return open_desk(api, container, "door-gym", timezone="Africa/Accra")


def movements(desk: Desk, member_id: str) -> list[tuple[str, str]]:
    """(kind, check-in id) of the member's movement events."""
    with desk.container.uow() as uow:
        return [
            (kind, str(checkin_id))
            for kind, checkin_id in uow.db.execute(
                select(MovementEvent.kind, MovementEvent.checkin_id).where(
                    MovementEvent.tenant_id == uuid.UUID(desk.tenant.id),
                    MovementEvent.member_id == uuid.UUID(member_id),
                )
            )
        ]


def published(desk: Desk) -> list[Any]:
    return [e for e in recorded(desk.container) if e.name == "movement.floor_checkin"]


def refused(desk: Desk, member_id: str, reason: str, **extra: Any) -> dict[str, Any]:
    response = desk.check_in(member_id, **extra)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body["admitted"] is False
    assert body["reason"] == reason
    return body


def test_an_active_member_is_admitted_and_the_visit_counted(desk: Desk) -> None:
    member = desk.member()
    membership = desk.membership(member, desk.plan(MONTHLY))
    response = desk.check_in(member, method="barcode")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["admitted"] is True and body["reason"] == "admitted on Monthly unlimited"
    assert body["membership_id"] == membership["id"]
    assert body["location_id"] == desk.location["id"] and body["method"] == "barcode"
    assert body["staff_id"] == desk.desk_staff_id and body["device_id"] is None
    assert body["warning"] is None and body["occurred_at_clamped"] is False
    [(kind, checkin_id)] = movements(desk, member)
    assert (kind, checkin_id) == ("floor_checkin", body["id"])
    [sent] = published(desk)
    assert sent.data["checkin_id"] == body["id"] and sent.data["member_id"] == member
    read = desk.api.client.get(f"/checkins/{body['id']}", headers=desk.admin).json()
    assert read["admitted"] is True and read["reason"] == body["reason"]


def test_every_refusal_is_recorded_but_never_as_an_admission(desk: Desk) -> None:
    no_plan = desk.member()
    refused(desk, no_plan, "no active membership")
    frozen = desk.member()
    membership = desk.membership(frozen, desk.plan(MONTHLY))
    until = date.today() + timedelta(days=40)
    desk.api.client.post(
        f"/memberships/{membership['id']}/freeze",
        json={"until": until.isoformat()},
        headers=desk.desk,
    ).raise_for_status()
    frozen_reason = f"membership frozen until {until.day} {until.strftime('%B')}"
    if until.year != date.today().year:
        frozen_reason += f" {until.year}"
    refused(desk, frozen, frozen_reason)
    expired = desk.member()
    desk.membership(expired, desk.plan(MONTHLY), starts_on="2020-01-01", ends_on="2020-10-31")
    refused(desk, expired, "membership expired on 31 October 2020")
    cancelled = desk.member()
    membership = desk.membership(cancelled, desk.plan(MONTHLY))
    desk.api.client.post(
        f"/memberships/{membership['id']}/cancel", headers=desk.desk
    ).raise_for_status()
    refused(desk, cancelled, "membership cancelled")
    elsewhere = desk.member()
    other = desk.api.create_location(desk.tenant, "Labone")
    desk.membership(
        elsewhere, desk.plan(MONTHLY, location_rule="listed", location_ids=[other["id"]])
    )
    refused(desk, elsewhere, "not valid at this location")
    for member in (no_plan, frozen, expired, cancelled, elsewhere):
        assert movements(desk, member) == []
        listed = desk.api.client.get(f"/checkins?member_id={member}", headers=desk.admin).json()
        assert [c["admitted"] for c in listed["items"]] == [False]
    assert published(desk) == []


def test_a_pack_uses_one_credit_per_admission(desk: Desk) -> None:
    desk.separate_visits()  # check-ins moments apart, each a visit
    member = desk.member()
    membership = desk.membership(member, desk.plan(PACK, credits=2))
    first = desk.check_in(member).json()
    assert first["admitted"] and first["reason"] == "admitted on 5 classes, 1 credit left"
    assert desk.check_in(member).json()["admitted"]
    refused(desk, member, "no credits left")
    after = desk.api.client.get(f"/memberships/{membership['id']}", headers=desk.desk).json()
    assert after["credits_remaining"] == 0
    assert len(movements(desk, member)) == 2


@pytest.mark.parametrize("mode", ["block", "warn"])
def test_a_monthly_limit_blocks_or_warns(desk: Desk, mode: str) -> None:
    desk.separate_visits()  # check-ins moments apart, each a visit
    member = desk.member()
    desk.membership(
        member,
        desk.plan(MONTHLY, visit_limit=2, visit_limit_period="month", visit_limit_mode=mode),
        starts_on="2020-01-01",
        ends_on="2099-12-31",
    )
    now = datetime.now(UTC)
    # Visits counted in the location's month: put them all mid-month to avoid its edges.
    mid_month = now.replace(day=15, hour=12) if now.day > 15 else now
    when: dict[str, Any] = {"occurred_at": mid_month.isoformat()}
    assert desk.check_in(member, **when).json()["warning"] is None
    second = desk.check_in(member, **when).json()
    assert second["admitted"] and second["warning"] == "2 of 2 visits this month"
    if mode == "block":
        refused(desk, member, "monthly limit of 2 visits reached", **when)
        assert len(movements(desk, member)) == 2
    else:
        third = desk.check_in(member, **when).json()
        assert third["admitted"] and third["warning"] == "3 of 2 visits this month"
        assert third["reason"] == "admitted on Monthly unlimited; 3 of 2 visits this month"
        assert len(movements(desk, member)) == 3
    # Last month's visits do not count against this month.
    last_month = (mid_month.replace(day=1) - timedelta(days=3)).isoformat()
    assert desk.check_in(member, occurred_at=last_month).json()["admitted"] is True


def test_staff_override_is_recorded_with_who_and_why(desk: Desk) -> None:
    member = desk.member()
    body = desk.check_in(member, override_reason="paid cash, card in the post").json()
    assert body["admitted"] is True
    assert body["reason"] == "no active membership"
    assert body["override_by"] == desk.desk_staff_id
    assert body["override_reason"] == "paid cash, card in the post"
    assert len(movements(desk, member)) == 1
    # An override where none is needed is not an override.
    regular = desk.member()
    desk.membership(regular, desk.plan(MONTHLY))
    plain = desk.check_in(regular, override_reason="just because").json()
    assert plain["admitted"] and plain["override_by"] is None and plain["override_reason"] is None
    # A kiosk cannot override.
    kiosk = desk.check_in(member, kiosk=True, override_reason="let me in")
    assert kiosk.status_code == 403
    listed = desk.api.client.get(f"/checkins?member_id={member}", headers=desk.admin).json()
    assert len(listed["items"]) == 1


def test_a_kiosk_checks_in_at_its_own_location(desk: Desk) -> None:
    member = desk.member()
    desk.membership(member, desk.plan(MONTHLY))
    body = desk.check_in(member, kiosk=True, method="qr").json()
    assert body["admitted"] and body["location_id"] == desk.location["id"]
    assert body["device_id"] == desk.device_id and body["staff_id"] is None
    other = desk.api.create_location(desk.tenant, "Labone")
    wrong = desk.check_in(member, kiosk=True, location_id=other["id"])
    assert wrong.status_code == 422 and "its own location" in wrong.json()["detail"]
    missing = desk.api.client.post(
        "/checkins", json={"member_id": member, "method": "card"}, headers=desk.desk
    )
    assert missing.status_code == 422 and "location_id is needed" in missing.json()["detail"]


def test_who_may_check_people_in(api: Api, desk: Desk) -> None:
    member = desk.member()
    api.create_staff(desk.tenant, "coach", "coach@door-gym.example")
    coach = api.token_for("door-gym", "coach@door-gym.example")
    body = {"member_id": member, "method": "search", "location_id": desk.location["id"]}
    assert api.client.post("/checkins", json=body, headers=coach).status_code == 403
    assert api.client.post("/checkins", json=body).status_code == 401
    assert api.client.post("/checkins", json=body, headers=desk.admin).status_code == 201


def test_other_tenants_members_locations_and_checkins_are_not_found(
    api: Api, container: Container, desk: Desk
) -> None:
    theirs = open_desk(api, container, "their-door")
    their_member = theirs.member()
    theirs.membership(their_member, theirs.plan(MONTHLY))
    their_checkin = theirs.check_in(their_member).json()["id"]
    assert desk.check_in(their_member).status_code == 404
    assert desk.check_in(their_member, kiosk=True).status_code == 404
    mine = desk.member()
    at_theirs = desk.check_in(mine, location_id=theirs.location["id"])
    assert at_theirs.status_code == 404
    assert api.client.get(f"/checkins/{their_checkin}", headers=desk.admin).status_code == 404
    assert api.client.get("/checkins", headers=desk.admin).json()["items"] == []
    assert movements(theirs, their_member) and not movements(desk, mine)


def test_a_time_far_in_the_future_is_clamped_and_flagged(desk: Desk) -> None:
    member = desk.member()
    desk.membership(member, desk.plan(MONTHLY))
    ahead = datetime.now(UTC) + timedelta(hours=3)
    body = desk.check_in(member, occurred_at=ahead.isoformat()).json()
    assert body["occurred_at_clamped"] is True
    assert datetime.fromisoformat(body["occurred_at"]) < ahead - timedelta(hours=2)
    near = datetime.now(UTC) + timedelta(minutes=2)
    kept = desk.check_in(member, occurred_at=near.isoformat()).json()
    assert kept["occurred_at_clamped"] is False
    assert datetime.fromisoformat(kept["occurred_at"]) == near
    naive = desk.check_in(member, occurred_at="2026-01-01T10:00:00")
    assert naive.status_code == 422


def test_listing_filters_and_pages(desk: Desk) -> None:
    member, other = desk.member(), desk.member()
    for _ in range(3):
        desk.check_in(member)
    desk.check_in(other)
    client = desk.api.client
    page = client.get(f"/checkins?member_id={member}&limit=2", headers=desk.admin).json()
    assert len(page["items"]) == 2 and page["next_offset"] == 2
    rest = client.get(f"/checkins?member_id={member}&limit=2&offset=2", headers=desk.admin).json()
    assert len(rest["items"]) == 1 and rest["next_offset"] is None
    here = client.get(f"/checkins?location_id={desk.location['id']}", headers=desk.admin).json()
    assert len(here["items"]) == 4
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    later = client.get("/checkins", params={"since": future}, headers=desk.admin).json()
    assert later["items"] == []


def test_twenty_at_once_on_five_credits_admit_exactly_five(desk: Desk) -> None:
    desk.separate_visits()  # check-ins moments apart, each a visit
    member = desk.member()
    membership = desk.membership(member, desk.plan(PACK))
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda _: desk.check_in(member), range(20)))
    assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses]
    admitted = [r.json() for r in responses if r.json()["admitted"]]
    assert len(admitted) == 5
    assert {r.json()["reason"] for r in responses if not r.json()["admitted"]} == {
        "no credits left"
    }
    after = desk.api.client.get(f"/memberships/{membership['id']}", headers=desk.desk).json()
    assert after["credits_remaining"] == 0
    assert len(movements(desk, member)) == 5
    with desk.container.uow() as uow:
        from server.checkin.models import Checkin

        counted = uow.db.execute(
            select(func.count()).where(Checkin.member_id == uuid.UUID(member))
        ).scalar_one()
    assert counted == 20


def test_visit_limits_count_in_the_location_month(api: Api, container: Container) -> None:
    london = open_desk(api, container, "london-door", timezone="Europe/London")
    london.separate_visits()  # an hour apart, each a visit
    member = london.member()
    london.membership(
        member,
        london.plan(MONTHLY, visit_limit=1, visit_limit_period="month"),
        starts_on="2026-01-01",
        ends_on="2026-12-31",
    )
    # 22:30 UTC on 31 May is 23:30 in London (BST): still May. 23:30 UTC is 1 June.
    may = london.check_in(member, occurred_at="2026-05-31T22:30:00Z").json()
    june = london.check_in(member, occurred_at="2026-05-31T23:30:00Z").json()
    assert may["admitted"] and june["admitted"]
    again = london.check_in(member, occurred_at="2026-06-30T22:59:00Z").json()
    assert again["reason"] == "monthly limit of 1 visit reached"
    # 30 June 23:00 UTC is local midnight on 1 July: a new month.
    assert london.check_in(member, occurred_at="2026-06-30T23:00:00Z").json()["admitted"]
