"""Desk sales of day and guest passes: charged once, idempotent by sale id, then admitted."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from server.adapters.in_person_payments import InPersonPayments
from server.bootstrap import Container
from server.members.models import Member
from server.plans.models import Membership, Sale
from server.ports.payments import PaymentRequest, PaymentResult, RefundRequest
from tests.integration.helpers import Api
from tests.integration.plans_helpers import DAY_PASS, GUEST_PASS, MONTHLY, Desk, open_desk


class CountingPayments:
    """The real desk adapter, remembering every charge it was asked for."""

    def __init__(self, decline: str | None = None) -> None:
        self.requests: list[PaymentRequest] = []
        self.decline = decline

    def charge(self, request: PaymentRequest) -> PaymentResult:
        self.requests.append(request)
        if self.decline:
            return PaymentResult(request.idempotency_key, False, self.decline)
        return InPersonPayments().charge(request)

    def refund(self, request: RefundRequest) -> PaymentResult:
        return PaymentResult(payment_id=request.idempotency_key, succeeded=True)


@pytest.fixture
def desk(api: Api, container: Container) -> Desk:
    container.payments = CountingPayments()
    # Far from UTC, so "today at the location" differs from UTC's day part of the time.
    return open_desk(api, container, "sales-gym", timezone="Pacific/Kiritimati")


def sale(desk: Desk, member_id: str, plan_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "sale_id": str(uuid.uuid4()),
        "member_id": member_id,
        "plan_id": plan_id,
        "method": "cash",
        "amount": "12.50",
        "currency": "GBP",
        "location_id": desk.location["id"],
        **extra,
    }


def rows(desk: Desk, member_id: str) -> tuple[int, int]:
    """(memberships, desk payments) of a member."""
    member = uuid.UUID(member_id)
    with desk.container.uow() as uow:
        memberships = uow.db.execute(
            select(func.count()).where(Membership.member_id == member)
        ).scalar_one()
        payments = uow.db.execute(select(func.count()).where(Sale.member_id == member)).scalar_one()
    return memberships, payments


def test_a_day_pass_sold_at_the_desk_lets_the_member_in(desk: Desk) -> None:
    member = desk.member()
    body = sale(desk, member, desk.plan(DAY_PASS))
    response = desk.api.client.post("/sales", json=body, headers=desk.desk)
    assert response.status_code == 201, response.text
    sold = response.json()
    today = datetime.now(UTC).astimezone(ZoneInfo("Pacific/Kiritimati")).date().isoformat()
    membership = sold["membership"]
    assert (membership["starts_on"], membership["ends_on"]) == (today, today)
    assert membership["status"] == "active" and membership["source"] == "desk"
    assert (sold["sale_id"], sold["amount"], sold["taken_by"]) == (
        body["sale_id"],
        "12.50",
        desk.desk_staff_id,
    )
    [charge] = desk.container.payments.requests  # type: ignore[attr-defined]
    assert str(charge.idempotency_key) == body["sale_id"] and charge.method == "cash"
    admitted = desk.check_in(member, kiosk=True).json()
    assert admitted["admitted"] is True and admitted["membership_id"] == membership["id"]
    assert admitted["reason"] == "admitted on Day pass"


def test_a_kiosk_sells_at_its_own_location(desk: Desk) -> None:
    member = desk.member()
    body = sale(desk, member, desk.plan(DAY_PASS), method="card_terminal")
    del body["location_id"]
    sold = desk.api.client.post("/sales", json=body, headers=desk.kiosk).json()
    assert sold["device_id"] == desk.device_id and sold["taken_by"] is None
    assert sold["location_id"] == desk.location["id"]


def test_replaying_a_sale_returns_the_same_result_and_creates_nothing(desk: Desk) -> None:
    member = desk.member()
    body = sale(desk, member, desk.plan(DAY_PASS))
    first = desk.api.client.post("/sales", json=body, headers=desk.desk)
    again = desk.api.client.post("/sales", json=body, headers=desk.kiosk)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    with ThreadPoolExecutor(max_workers=6) as pool:
        racing = list(
            pool.map(
                lambda _: desk.api.client.post("/sales", json=body, headers=desk.desk), range(6)
            )
        )
    assert {r.status_code for r in racing} == {201}
    assert all(r.json() == first.json() for r in racing)
    assert rows(desk, member) == (1, 1)
    other = {**body, "member_id": desk.member()}
    reused = desk.api.client.post("/sales", json=other, headers=desk.desk)
    assert reused.status_code == 409 and "new sale_id" in reused.json()["detail"]


def test_a_concurrent_first_sale_is_recorded_once(desk: Desk) -> None:
    member = desk.member()
    body = sale(desk, member, desk.plan(DAY_PASS))
    with ThreadPoolExecutor(max_workers=8) as pool:
        racing = list(
            pool.map(
                lambda _: desk.api.client.post("/sales", json=body, headers=desk.desk), range(8)
            )
        )
    assert [r.status_code for r in racing] == [201] * 8, [r.text for r in racing]
    assert len({r.json()["membership"]["id"] for r in racing}) == 1
    assert rows(desk, member) == (1, 1)


# The sale's schema is unit-tested (tests/unit/test_plan_rules.py); the price check needs
# the stored plan. Refused before anything is written: the database plays no part, SQLite only.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": "10.00"}, "'Day pass' costs 12.50 GBP, not 10.00 GBP"),
        ({"currency": "EUR"}, "'Day pass' costs 12.50 GBP, not 12.50 EUR"),
        ({"amount": "12.505"}, "amount: Decimal input should have no more than 2 decimal"),
    ],
)
def test_a_wrong_price_is_refused_and_nothing_is_created(
    desk: Desk, change: dict[str, str], message: str
) -> None:
    member = desk.member()
    body = sale(desk, member, desk.plan(DAY_PASS), **change)
    response = desk.api.client.post("/sales", json=body, headers=desk.desk)
    assert response.status_code == 422 and message in response.json()["detail"]
    assert rows(desk, member) == (0, 0)
    assert desk.container.payments.requests == []  # type: ignore[attr-defined]
    assert desk.check_in(member).json()["admitted"] is False


def test_a_kiosk_sells_only_passes_and_staff_sell_memberships(desk: Desk) -> None:
    # Every sale is recorded now, memberships and packs too: staff sell them at the desk;
    # the kiosk's own screen still sells passes only.
    member = desk.member()
    monthly = desk.plan(MONTHLY)
    body = sale(desk, member, monthly, amount="45.00")
    at_kiosk = {k: v for k, v in body.items() if k != "location_id"}
    response = desk.api.client.post("/sales", json=at_kiosk, headers=desk.kiosk)
    assert response.status_code == 422
    assert response.json()["detail"] == "a kiosk sells day passes and guest passes only"
    assert rows(desk, member) == (0, 0)
    response = desk.api.client.post("/sales", json=body, headers=desk.desk)
    assert response.status_code == 201, response.text
    assert response.json()["membership"]["plan_kind"] == "recurring"
    assert rows(desk, member) == (1, 1)


def test_a_guest_pass_needs_a_host_with_an_active_membership(api: Api, desk: Desk) -> None:
    host, guest = desk.member(), desk.member(first_name="Kofi")
    guest_pass = desk.plan(GUEST_PASS)
    body = sale(desk, guest, guest_pass, amount="8.00", guest_of_id=host)
    response = api.client.post("/sales", json=body, headers=desk.desk)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "host_not_active"
    assert "host with an active membership" in response.json()["detail"]
    # A day pass of their own does not make a host either.
    today = datetime.now(UTC).astimezone(ZoneInfo("Pacific/Kiritimati")).date()
    desk.membership(host, desk.plan(DAY_PASS), starts_on=today.isoformat())
    response = api.client.post("/sales", json=body, headers=desk.desk)
    assert response.status_code == 422
    assert rows(desk, guest) == (0, 0)
    desk.membership(host, desk.plan(MONTHLY))
    assert api.client.post("/sales", json=body, headers=desk.desk).status_code == 201


def test_a_guest_pass_links_the_guest_to_their_host(api: Api, desk: Desk) -> None:
    host, guest = desk.member(), desk.member(first_name="Kofi")
    desk.membership(host, desk.plan(MONTHLY))
    guest_pass = desk.plan(GUEST_PASS)
    body = sale(desk, guest, guest_pass, amount="8.00", guest_of_id=host)
    assert api.client.post("/sales", json=body, headers=desk.desk).status_code == 201
    with desk.container.uow() as uow:
        linked = uow.db.execute(
            select(Member.guest_of_id).where(Member.id == uuid.UUID(guest))
        ).scalar_one()
    assert str(linked) == host
    assert desk.check_in(guest).json()["admitted"] is True
    self_guest = sale(desk, host, guest_pass, amount="8.00", guest_of_id=host)
    assert api.client.post("/sales", json=self_guest, headers=desk.desk).status_code == 422
    day = sale(desk, host, desk.plan(DAY_PASS), guest_of_id=guest)
    response = api.client.post("/sales", json=day, headers=desk.desk)
    assert response.status_code == 422 and "guest passes only" in response.json()["detail"]


def test_other_tenants_members_and_plans_cannot_be_sold_to(
    api: Api, container: Container, desk: Desk
) -> None:
    theirs = open_desk(api, container, "their-sales")
    their_member, their_plan = theirs.member(), theirs.plan(DAY_PASS)
    mine = desk.member()
    for body in (
        sale(desk, their_member, desk.plan(DAY_PASS)),
        sale(desk, mine, their_plan),
        sale(desk, mine, desk.plan(GUEST_PASS), amount="8.00", guest_of_id=their_member),
        sale(desk, mine, desk.plan(DAY_PASS), location_id=theirs.location["id"]),
    ):
        response = api.client.post("/sales", json=body, headers=desk.desk)
        assert response.status_code == 404, response.text
    assert rows(desk, mine) == (0, 0) and rows(theirs, their_member) == (0, 0)


def test_a_declined_payment_creates_nothing(desk: Desk) -> None:
    desk.container.payments = CountingPayments(decline="the card terminal is offline")
    member = desk.member()
    response = desk.api.client.post(
        "/sales", json=sale(desk, member, desk.plan(DAY_PASS)), headers=desk.desk
    )
    assert response.status_code == 402
    assert response.json()["detail"] == "the card terminal is offline"
    assert rows(desk, member) == (0, 0)


def test_coaches_do_not_sell(api: Api, desk: Desk) -> None:
    api.create_staff(desk.tenant, "coach", "coach@sales-gym.example")
    coach = api.token_for("sales-gym", "coach@sales-gym.example")
    member = desk.member()
    body = sale(desk, member, desk.plan(DAY_PASS))
    assert api.client.post("/sales", json=body, headers=coach).status_code == 403
    assert rows(desk, member) == (0, 0)
