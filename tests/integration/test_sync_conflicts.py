"""Conflicts decided by the server: facts kept, doubts sent to review."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from server.bootstrap import Container
from tests.integration.helpers import Api
from tests.integration.plans_helpers import DAY_PASS, GUEST_PASS, MONTHLY, PACK, open_desk
from tests.integration.sync_helpers import Kiosk, checkin_count, review_items


def _checkins(desk: object, member_id: str) -> list[dict[str, object]]:
    response = desk.api.client.get(  # type: ignore[attr-defined]
        "/checkins",
        params={"member_id": member_id},
        headers=desk.admin,  # type: ignore[attr-defined]
    )
    items: list[dict[str, object]] = response.json()["items"]
    return items


def test_offline_admission_of_a_since_frozen_member_is_kept_and_reviewed(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "frozen")
    member = desk.member()
    membership = desk.membership(member, desk.plan(MONTHLY))
    kiosk = Kiosk.of(desk)
    at = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    mutation = kiosk.checkin(member, at=at)  # decided offline, before the kiosk heard
    until = (date.today() + timedelta(days=30)).isoformat()
    frozen = api.client.post(
        f"/memberships/{membership['id']}/freeze", json={"until": until}, headers=desk.admin
    )
    assert frozen.status_code == 200, frozen.text
    result = kiosk.pushed([mutation])[0]
    assert result["status"] == "applied" and result["review_item_id"]
    [checkin] = _checkins(desk, member)
    assert checkin["admitted"] is True
    assert datetime.fromisoformat(str(checkin["occurred_at"])) == datetime.fromisoformat(at)
    [item] = review_items(desk, status="open")
    assert item["id"] == result["review_item_id"]
    assert item["kind"] == "ineligible_admission" and item["checkin_id"] == checkin["id"]
    assert "frozen" in item["summary"] and "Ama Mensah" in item["summary"]
    # The kiosk sees it, then a manager resolves it.
    seen = api.client.get("/sync/review-items", headers=kiosk.headers).json()
    assert [i["id"] for i in seen] == [item["id"]]
    desk_staff = api.client.post(
        f"/review-items/{item['id']}/resolve", json={"note": "x"}, headers=desk.desk
    )
    assert desk_staff.status_code == 403
    resolved = api.client.post(
        f"/review-items/{item['id']}/resolve",
        json={"note": "spoke to the member"},
        headers=desk.admin,
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolved_by"] == desk.tenant.owner_id
    again = api.client.post(
        f"/review-items/{item['id']}/resolve", json={"note": "again"}, headers=desk.admin
    )
    assert again.status_code == 409
    assert review_items(desk, status="open") == []
    assert api.client.get("/sync/review-items", headers=kiosk.headers).json() == []
    changes, _ = kiosk.pull_all()
    reviews = [c for c in changes if c["table"] == "review_items"]
    assert reviews[-1]["data"]["status"] == "resolved"


def test_credits_used_up_elsewhere_is_reviewed_and_not_taken_twice(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "credits")
    member = desk.member()
    pack = desk.membership(member, desk.plan(PACK, credits=1))
    kiosk = Kiosk.of(desk)
    offline = kiosk.checkin(member, membership_id=pack["id"])
    assert desk.check_in(member).json()["admitted"] is True  # the last credit, online
    result = kiosk.pushed([offline])[0]
    assert result["status"] == "applied" and result["review_item_id"]
    assert "no credits left" in review_items(desk)[0]["summary"]
    assert len(_checkins(desk, member)) == 2


def test_same_pass_at_two_kiosks_is_flagged(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "pass-twice")
    member = desk.member()
    desk.membership(member, desk.plan(MONTHLY))
    issued = api.client.post(f"/members/{member}/passes", json={}, headers=desk.admin).json()
    first, second = Kiosk.of(desk), Kiosk.enrol(desk)
    at = datetime.now(UTC) - timedelta(minutes=30)
    one = first.checkin(member, at=at.isoformat(), method="qr", pass_id=issued["id"])
    later = (at + timedelta(seconds=50)).isoformat()
    two = second.checkin(member, at=later, method="qr", pass_id=issued["id"])
    assert first.pushed([one])[0]["review_item_id"] is None
    result = second.pushed([two])[0]
    assert result["status"] == "applied" and result["review_item_id"]
    [item] = review_items(desk)
    assert item["kind"] == "pass_used_at_two_kiosks"
    assert len(_checkins(desk, member)) == 2


def test_the_same_walk_in_at_two_kiosks_gives_two_members_flagged_for_merge(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "walkins")
    first, second = Kiosk.of(desk), Kiosk.enrol(desk)
    a = first.walkin("Yaw", "Asante", email="Yaw@Example.com", phone="+233 20 111 2222")
    b = second.walkin("Yaw", "Asante", email="yaw@example.com ", phone="020 111 2222")
    assert first.pushed([a])[0]["review_item_id"] is None
    result = second.pushed([b])[0]
    assert result["status"] == "applied" and result["review_item_id"]
    found = api.client.get("/members", params={"q": "Asante"}, headers=desk.admin).json()
    assert {m["id"] for m in found["items"]} == {a["args"]["member_id"], b["args"]["member_id"]}
    [item] = review_items(desk)
    assert item["kind"] == "possible_duplicate_member"
    assert "Yaw Asante" in item["summary"] and "merge" in item["summary"]
    assert item["member_id"] == b["args"]["member_id"]


def test_a_sale_id_is_its_payment_idempotency_key(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "sale-replay")
    member = desk.member()
    plan = desk.plan(DAY_PASS)
    kiosk = Kiosk.of(desk)
    sale = {
        "sale_id": str(uuid.uuid4()),
        "membership_id": str(uuid.uuid4()),
        "member_id": member,
        "plan_id": plan,
        "amount": "12.50",
        "currency": "GBP",
        "payment_method": "cash",
        "location_id": kiosk.location_id,
        "starts_on": date.today().isoformat(),
        "ends_on": date.today().isoformat(),
    }
    first = kiosk.mutation("sale.create.v1", sale)
    # The same sale queued twice (e.g. a retried action) is still one payment.
    second = kiosk.mutation("sale.create.v1", sale)
    results = kiosk.pushed([first, second])
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert results[1]["reason"] == "already recorded"
    assert kiosk.pushed([first, second])[0]["status"] == "duplicate"
    memberships = api.client.get(f"/members/{member}/memberships", headers=desk.admin).json()
    assert [m["id"] for m in memberships["items"]] == [sale["membership_id"]]
    posted = api.client.post(
        "/sales",
        json={
            "sale_id": sale["sale_id"],
            "member_id": member,
            "plan_id": plan,
            "method": "cash",
            "amount": "12.50",
            "currency": "GBP",
        },
        headers=kiosk.headers,
    )
    assert posted.status_code in (200, 201), posted.text
    assert posted.json()["membership"]["id"] == sale["membership_id"]


def test_a_clock_far_ahead_is_clamped_and_flagged_but_a_past_time_is_kept(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "clocks")
    member = desk.member()
    desk.membership(member, desk.plan(MONTHLY))
    kiosk = Kiosk.of(desk)
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    before = datetime.now(UTC)
    results = kiosk.pushed(
        [
            kiosk.checkin(member, at=past),
            kiosk.checkin(member, at="2099-01-01T09:00:00+00:00"),
            kiosk.checkin(member, at="2099-01-01T09:05:00+00:00"),
        ]
    )
    assert results[0]["reason"] is None
    assert "ahead" in results[1]["reason"]
    times = sorted(datetime.fromisoformat(str(c["occurred_at"])) for c in _checkins(desk, member))
    assert times[0] == datetime.fromisoformat(past)
    assert all(before <= t <= datetime.now(UTC) for t in times[1:])
    [item] = review_items(desk)  # one per kiosk, not one per check-in
    assert item["kind"] == "kiosk_clock_ahead"
    assert checkin_count(desk) == 3


def test_a_kiosk_sale_records_the_staff_member_who_took_the_money(
    api: Api, container: Container
) -> None:
    from sqlalchemy import select

    from server.plans.models import Sale

    desk = open_desk(api, container, "sale-staff")
    kiosk = Kiosk.of(desk)
    member = desk.member()

    def sale(staff_id: str | None) -> dict[str, object]:
        return {
            "sale_id": str(uuid.uuid4()),
            "membership_id": str(uuid.uuid4()),
            "member_id": member,
            "plan_id": desk.plan(DAY_PASS),
            "amount": "12.50",
            "currency": "GBP",
            "payment_method": "cash",
            "location_id": kiosk.location_id,
            "starts_on": date.today().isoformat(),
            "ends_on": date.today().isoformat(),
            "staff_id": staff_id,
        }

    taken = sale(desk.desk_staff_id)
    stranger = sale(str(uuid.uuid4()))  # no staff member of this location
    results = kiosk.pushed(
        [kiosk.mutation("sale.create.v1", taken), kiosk.mutation("sale.create.v1", stranger)]
    )
    assert [r["status"] for r in results] == ["applied", "rejected"]
    with container.uow() as uow:
        recorded = uow.db.execute(
            select(Sale.id, Sale.taken_by).where(Sale.member_id == uuid.UUID(member))
        ).all()
    assert [(str(i), str(by)) for i, by in recorded] == [(taken["sale_id"], desk.desk_staff_id)]


def test_a_walk_in_keeps_birth_date_emergency_contact_card_and_waiver(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "walkin-details")
    kiosk = Kiosk.of(desk)
    accepted = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    first = kiosk.walkin(
        "Akosua",
        "Darko",
        phone="024 400 0001",
        date_of_birth="1990-04-12",
        emergency_contact="Kofi Darko 024 400 0002",
        card_number="100001",
        waiver_accepted_at=accepted.isoformat(),
    )
    # Another kiosk, offline: the same person by name and birth date, and the same card.
    again = kiosk.walkin(
        "akosua", "DARKO", email="ak@example.com", date_of_birth="1990-04-12", card_number="100001"
    )
    other = kiosk.walkin("Akosua", "Darko", phone="055 000 0000", date_of_birth="1991-01-01")
    results = kiosk.pushed([first, again, other])
    assert [r["status"] for r in results] == ["applied", "applied", "applied"]
    member_id = first["args"]["member_id"]
    read = api.client.get(f"/members/{member_id}", headers=desk.admin).json()
    assert read["date_of_birth"] == "1990-04-12" and read["card_number"] == "100001"
    assert read["emergency_contact"] == "Kofi Darko 024 400 0002"
    assert datetime.fromisoformat(read["waiver_accepted_at"]) == accepted
    second = api.client.get(f"/members/{again['args']['member_id']}", headers=desk.admin).json()
    assert second["card_number"] is None and second["waiver_accepted_at"] is None
    assert results[2]["review_item_id"] is None  # same name, another birth date
    [item] = review_items(desk)
    assert item["member_id"] == again["args"]["member_id"]
    assert "same name and date of birth" in item["summary"]
    assert "Card 100001 already belongs to another member" in item["summary"]


def test_a_walk_in_with_a_bad_card_number_is_rejected(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "walkin-bad-card")
    kiosk = Kiosk.of(desk)
    bad = kiosk.walkin("Ama", "Owusu", phone="024 400 0003", card_number="10 01")
    [result] = kiosk.pushed([bad])
    assert result["status"] == "rejected"
    found = api.client.get("/members", params={"q": "Owusu"}, headers=desk.admin).json()
    assert found["items"] == []


def test_an_offline_guest_pass_for_a_host_without_a_membership_is_kept_and_reviewed(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "guest-host")
    kiosk = Kiosk.of(desk)
    host, guest = desk.member(), desk.member(first_name="Kofi")
    member_host, member_guest = desk.member(first_name="Efua"), desk.member(first_name="Yaw")
    desk.membership(member_host, desk.plan(MONTHLY))
    guest_pass = desk.plan(GUEST_PASS)

    def sale(guest_id: str, host_id: str) -> dict[str, object]:
        return {
            "sale_id": str(uuid.uuid4()),
            "membership_id": str(uuid.uuid4()),
            "member_id": guest_id,
            "plan_id": guest_pass,
            "amount": "8.00",
            "currency": "GBP",
            "payment_method": "cash",
            "guest_of_id": host_id,
            "location_id": kiosk.location_id,
            "staff_id": desk.desk_staff_id,
        }

    hostless, hosted = sale(guest, host), sale(member_guest, member_host)
    results = kiosk.pushed(
        [kiosk.mutation("sale.create.v1", hostless), kiosk.mutation("sale.create.v1", hosted)]
    )
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert results[0]["review_item_id"] and results[1]["review_item_id"] is None
    # The money was taken: the sale and the guest's pass stand.
    for args in (hostless, hosted):
        memberships = api.client.get(
            f"/members/{args['member_id']}/memberships", headers=desk.admin
        ).json()
        assert [m["id"] for m in memberships["items"]] == [args["membership_id"]]
    [item] = review_items(desk, status="open")
    assert item["id"] == results[0]["review_item_id"]
    assert item["kind"] == "guest_host_not_active" and item["member_id"] == guest
    assert item["location_id"] == kiosk.location_id
    assert "no active membership" in item["summary"] and "Guest pass" in item["summary"]
    seen = api.client.get("/sync/review-items", headers=kiosk.headers).json()
    assert [i["id"] for i in seen] == [item["id"]]
