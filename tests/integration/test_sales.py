"""The sales ledger: every plan sold is recorded with price, discount, seller and payment;
GET /sales with filters; refunds through the payments port; numbered receipts."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from server.bootstrap import Container
from server.plans.models import Sale
from server.sales.models import Refund
from tests.fakes.payments import FakePayments
from tests.integration.bookings_helpers import member_headers
from tests.integration.helpers import Api
from tests.integration.plans_helpers import DAY_PASS, MONTHLY, PACK, Desk, open_desk
from tests.integration.sales_helpers import pdf_text, sell, sold


@pytest.fixture
def payments(container: Container) -> FakePayments:
    fake = FakePayments()
    container.payments = fake
    return fake


@pytest.fixture
def desk(api: Api, container: Container, payments: FakePayments) -> Desk:
    return open_desk(api, container, "ledger-gym", timezone="Europe/London")


def _count(container: Container, model: Any) -> int:
    with container.uow() as uow:
        return int(uow.db.execute(select(func.count()).select_from(model)).scalar_one())


def test_memberships_and_packs_are_recorded_with_discount_seller_and_payment(
    desk: Desk, payments: FakePayments
) -> None:
    member = desk.member()
    monthly, pack = desk.plan(MONTHLY), desk.plan(PACK)
    first = sold(desk, member, monthly, "40.00", discount_amount="5.00", discount_reason="student")
    second = sold(desk, member, pack, "50.00", method="cash")
    assert first["membership"]["plan_kind"] == "recurring"
    assert second["membership"]["credits_remaining"] == 5
    assert [first["receipt_number"], second["receipt_number"]] == [1, 2]
    # Charged through the port, once each, for what the member paid.
    charged = {str(k): (r.amount, r.currency, r.method) for k, r in payments.charges.items()}
    assert charged == {
        first["sale_id"]: (Decimal("40.00"), "GBP", "card_terminal"),
        second["sale_id"]: (Decimal("50.00"), "GBP", "cash"),
    }
    page = desk.api.client.get("/sales", headers=desk.admin).json()
    assert page["next_offset"] is None
    recorded = {item["id"]: item for item in page["items"]}
    entry = recorded[first["sale_id"]]
    assert (entry["plan_name"], entry["plan_kind"], entry["member_name"]) == (
        "Monthly unlimited",
        "recurring",
        "Ama Mensah",
    )
    assert (entry["list_price"], entry["discount_amount"], entry["discount_reason"]) == (
        "45.00",
        "5.00",
        "student",
    )
    assert (entry["amount"], entry["currency"], entry["method"]) == (
        "40.00",
        "GBP",
        "card_terminal",
    )
    assert entry["taken_by"] == desk.desk_staff_id
    assert recorded[second["sale_id"]]["method"] == "cash"


def test_a_second_monthly_membership_over_a_held_one_is_refused_before_any_charge(
    desk: Desk, payments: FakePayments
) -> None:
    member, monthly = desk.member(), desk.plan(MONTHLY)
    sold(desk, member, monthly, "45.00")
    again = sell(desk, member, monthly, "45.00")
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "membership_overlaps"
    assert len(payments.asked) == 1  # the refused sale took no money
    assert _count(desk.container, Sale) == 1


@pytest.mark.parametrize(
    ("extra", "code_or_text"),
    [
        ({"amount": "45.00", "discount_amount": "5.00"}, "less 5.00 discount, not 45.00 GBP"),
        ({"amount": "0.00", "discount_amount": "50.00"}, "discount_too_large"),
        ({"amount": "45.00", "currency": "GHS"}, "costs 45.00 GBP, not 45.00 GHS"),
        ({"amount": "45.00", "discount_reason": ""}, "discount_reason"),
    ],
)
def test_a_wrong_price_or_discount_is_refused_and_nothing_is_charged(
    desk: Desk, payments: FakePayments, extra: dict[str, str], code_or_text: str
) -> None:
    member, monthly = desk.member(), desk.plan(MONTHLY)
    fields: dict[str, Any] = dict(extra)
    amount = fields.pop("amount")
    response = sell(desk, member, monthly, amount, **fields)
    assert response.status_code == 422, response.text
    assert code_or_text in response.text
    assert payments.asked == []
    assert _count(desk.container, Sale) == 0


def test_sales_are_filtered_and_paged_for_staff_and_members_see_their_own(
    api: Api, desk: Desk
) -> None:
    tenant = desk.tenant
    other_place = api.create_location(tenant, "Accra", timezone="Africa/Accra")
    manager = api.create_staff(tenant, "manager", "manager@ledger-gym.example")
    api.create_staff(tenant, "coach", "coach@ledger-gym.example")
    ama, kofi = desk.member(), desk.member(first_name="Kofi")
    monthly, day = desk.plan(MONTHLY), desk.plan(DAY_PASS)
    a1 = sold(desk, ama, monthly, "45.00")
    a2 = sold(desk, ama, day, "12.50", location_id=other_place["id"])
    manager_headers = api.token_for("ledger-gym", "manager@ledger-gym.example")
    k1 = sold(desk, kofi, day, "12.50", headers=manager_headers)

    def ids(**params: Any) -> list[str]:
        response = api.client.get("/sales", params=params, headers=desk.admin)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    # Newest first.
    assert ids() == [k1["sale_id"], a2["sale_id"], a1["sale_id"]]
    assert ids(member_id=ama) == [a2["sale_id"], a1["sale_id"]]
    assert ids(plan_id=day) == [k1["sale_id"], a2["sale_id"]]
    assert ids(location_id=other_place["id"]) == [a2["sale_id"]]
    assert ids(staff_id=manager["id"]) == [k1["sale_id"]]
    today = a1["membership"]["starts_on"]
    assert len(ids(**{"from": today, "to": today})) == 3
    assert ids(**{"from": "2020-01-01", "to": "2020-12-31"}) == []
    first = api.client.get("/sales", params={"limit": 2}, headers=desk.admin).json()
    assert (len(first["items"]), first["next_offset"]) == (2, 2)
    rest = api.client.get("/sales", params={"limit": 2, "offset": 2}, headers=desk.admin).json()
    assert ([i["id"] for i in rest["items"]], rest["next_offset"]) == ([a1["sale_id"]], None)
    # The desk reads the ledger; a coach does not; bad filters are 422.
    assert api.client.get("/sales", headers=desk.desk).status_code == 200
    coach = api.token_for("ledger-gym", "coach@ledger-gym.example")
    assert api.client.get("/sales", headers=coach).status_code == 403
    bad = api.client.get(
        "/sales", params={"from": "2026-02-01", "to": "2026-01-01"}, headers=desk.admin
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert api.client.get("/sales", params={"limit": 0}, headers=desk.admin).status_code == 422
    # A member sees their own, and nobody else's.
    mine = api.client.get("/me/sales", headers=member_headers(desk.container, tenant.id, kofi))
    assert [i["id"] for i in mine.json()["items"]] == [k1["sale_id"]]
    assert (
        api.client.get(
            "/sales", headers=member_headers(desk.container, tenant.id, kofi)
        ).status_code
        == 403
    )


def test_other_tenants_sales_are_not_found(api: Api, desk: Desk) -> None:
    sale = sold(desk, desk.member(), desk.plan(MONTHLY), "45.00")
    other = api.sign_up("other-ledger")
    for path in (f"/sales/{sale['sale_id']}", f"/sales/{sale['sale_id']}/receipt.pdf"):
        assert api.client.get(path, headers=other.headers).status_code == 404
    refund = {"refund_id": str(uuid.uuid4()), "reason": "x"}
    response = api.client.post(
        f"/sales/{sale['sale_id']}/refunds", json=refund, headers=other.headers
    )
    assert response.status_code == 404
    assert api.client.get("/sales", headers=other.headers).json()["items"] == []
    assert api.client.get(f"/sales/{sale['sale_id']}", headers=desk.admin).status_code == 200


def _refund(desk: Desk, sale_id: str, headers: dict[str, str] | None = None, **body: Any) -> Any:
    body.setdefault("refund_id", str(uuid.uuid4()))
    body.setdefault("reason", "moved away")
    return desk.api.client.post(
        f"/sales/{sale_id}/refunds", json=body, headers=headers or desk.admin
    )


def test_partial_then_full_refund_through_the_port_never_beyond_the_sale(
    desk: Desk, payments: FakePayments
) -> None:
    sale = sold(desk, desk.member(), desk.plan(MONTHLY), "45.00")["sale_id"]
    refund_id = str(uuid.uuid4())
    partial = _refund(desk, sale, refund_id=refund_id, amount="10.00", reason="injured")
    assert partial.status_code == 201, partial.text
    body = partial.json()
    assert (body["amount"], body["currency"], body["reason"]) == ("10.00", "GBP", "injured")
    assert body["refunded_by"] == desk.tenant.owner_id
    assert (body["sale"]["refunded_amount"], body["sale"]["net_amount"]) == ("10.00", "35.00")
    # The same refund again changes nothing and asks the port nothing new.
    again = _refund(desk, sale, refund_id=refund_id, amount="10.00", reason="injured")
    assert again.status_code == 201 and again.json()["id"] == refund_id
    assert len(payments.refunds) == 1
    reused = _refund(desk, sale, refund_id=refund_id, amount="11.00")
    assert reused.status_code == 409 and reused.json()["code"] == "refund_id_reused"
    # More than what is left: refused, nothing changes.
    too_much = _refund(desk, sale, amount="35.01")
    assert too_much.status_code == 409 and too_much.json()["code"] == "refund_exceeds_sale"
    assert "only 35.00 is left" in too_much.json()["detail"]
    # No amount: the rest.
    rest = _refund(desk, sale)
    assert rest.status_code == 201 and rest.json()["amount"] == "35.00"
    assert rest.json()["sale"]["net_amount"] == "0.00"
    done = _refund(desk, sale, amount="0.01")
    assert done.status_code == 409 and "refunded in full" in done.json()["detail"]
    assert [r.amount for r in payments.refunds.values()] == [Decimal("10.00"), Decimal("35.00")]
    assert all(str(r.payment_id) == sale for r in payments.refunds.values())
    assert _count(desk.container, Refund) == 2


def test_refunds_need_an_owner_or_manager_a_reason_and_a_positive_amount(
    desk: Desk, payments: FakePayments
) -> None:
    sale = sold(desk, desk.member(), desk.plan(MONTHLY), "45.00")["sale_id"]
    assert _refund(desk, sale, headers=desk.desk).status_code == 403
    assert _refund(desk, sale, reason="").status_code == 422
    assert _refund(desk, sale, amount="0").status_code == 422
    assert _refund(desk, sale, amount="-5.00").status_code == 422
    assert _refund(desk, str(uuid.uuid4())).status_code == 404
    assert payments.refunds_asked == []
    assert _count(desk.container, Refund) == 0


def test_two_refunds_at_once_never_give_back_more_than_the_sale(desk: Desk) -> None:
    sale = sold(desk, desk.member(), desk.plan(MONTHLY), "45.00")["sale_id"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: _refund(desk, sale, amount="30.00"), range(4)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    with desk.container.uow() as uow:
        row = uow.db.execute(select(Sale).where(Sale.id == uuid.UUID(sale))).scalar_one()
        assert row.refunded_amount == Decimal("30.00")


def test_receipt_numbers_are_unique_and_gap_free_under_concurrency(
    desk: Desk, payments: FakePayments
) -> None:
    members = [desk.member(first_name=f"M{i}") for i in range(8)]
    day = desk.plan(DAY_PASS)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda m: sell(desk, m, day, "12.50"), members))
    assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
    assert sorted(a.json()["receipt_number"] for a in answers) == list(range(1, 9))
    # A declined charge takes no number: the next sale has the next one.
    payments.decline_reason = "card declined"
    assert sell(desk, members[0], day, "12.50").status_code == 402
    payments.decline_reason = None
    assert sold(desk, members[0], day, "12.50")["receipt_number"] == 9
    # Numbers are per tenant.
    other = open_desk(desk.api, desk.container, "second-ledger")
    assert sold(other, other.member(), other.plan(DAY_PASS), "12.50")["receipt_number"] == 1


def test_a_member_downloads_their_receipt_and_staff_theirs_as_pdf(desk: Desk) -> None:
    member, stranger = desk.member(first_name="Ɛfua"), desk.member(first_name="Kofi")
    sale = sold(
        desk, member, desk.plan(MONTHLY), "40.00", discount_amount="5.00", discount_reason="promo"
    )
    mine = member_headers(desk.container, desk.tenant.id, member)
    response = desk.api.client.get(f"/me/sales/{sale['sale_id']}/receipt.pdf", headers=mine)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ("Receipt No. 000001", "40.00 GBP", "-5.00 GBP (promo)", "Ɛfua Mensah"):
        assert expected in text, text
    theirs = member_headers(desk.container, desk.tenant.id, stranger)
    assert (
        desk.api.client.get(f"/me/sales/{sale['sale_id']}/receipt.pdf", headers=theirs).status_code
        == 404
    )
    staff = desk.api.client.get(f"/sales/{sale['sale_id']}/receipt.pdf", headers=desk.desk)
    assert staff.status_code == 200 and "Receipt No. 000001" in pdf_text(staff.content)
