"""Currencies (a tenant's at signup, a branch's own, penalties in the currency they arise
in), the revenue report per currency, and receipts sent by email."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import func, select

from server.bootstrap import Container
from server.config import Settings
from server.plans import ledger
from server.sales import refunding
from server.sales.schemas import RevenueReport, RevenueRow
from server.tenants.models import Tenant
from tests.fakes.payments import FakePayments
from tests.integration.bookings_helpers import open_studio
from tests.integration.helpers import PASSWORD, Api
from tests.integration.members_helpers import SmtpSink, mailing_to
from tests.integration.plans_helpers import DAY_PASS, MONTHLY, PACK, open_desk
from tests.integration.sales_helpers import pdf_text, sold


@pytest.fixture
def settings(settings: Settings, smtp: tuple[SmtpSink, int]) -> Settings:
    """The suite's settings, sending email to the loopback SMTP server."""
    return mailing_to(settings, smtp)


@pytest.fixture
def payments(container: Container) -> FakePayments:
    fake = FakePayments()
    container.payments = fake
    return fake


def _signup(api: Api, slug: str, **extra: Any) -> Any:
    body = {
        "name": "Cedi Gym",
        "slug": slug,
        "owner": {"name": "Owner", "email": f"o@{slug}.example", "password": PASSWORD},
        **extra,
    }
    return api.client.post("/tenants", json=body)


def test_a_tenant_names_its_currency_at_signup_and_a_branch_may_have_its_own(
    api: Api, container: Container
) -> None:
    missing = _signup(api, "no-currency")
    assert missing.status_code == 422 and "currency" in missing.text
    assert _signup(api, "bad-currency", currency="cedi").status_code == 422
    with container.uow() as uow:
        assert uow.db.execute(select(func.count()).select_from(Tenant)).scalar_one() == 0
    created = _signup(api, "cedi-gym", currency="GHS")
    assert created.status_code == 201, created.text
    assert created.json()["tenant"]["currency"] == "GHS"
    tenant = api.sign_up("branches", currency="GHS")
    london = api.create_location(tenant, "London", currency="GBP")
    accra = api.create_location(tenant, "Accra", timezone="Africa/Accra")
    assert (london["currency"], accra["currency"]) == ("GBP", None)
    assert api.client.get("/tenant", headers=tenant.headers).json()["currency"] == "GHS"
    # The booking policy's currency is the tenant's unless set: never a silent EUR.
    policy = api.client.get("/booking-policy", headers=tenant.headers).json()
    assert policy["currency"] == "GHS"
    saved = api.client.patch("/booking-policy", json={"grace_allowance": 2}, headers=tenant.headers)
    assert saved.status_code == 200 and saved.json()["currency"] == "GHS"
    changed = api.client.patch(
        f"/locations/{accra['id']}", json={"currency": "XOF"}, headers=tenant.headers
    )
    assert changed.status_code == 200 and changed.json()["currency"] == "XOF"
    bad = api.client.patch(
        f"/locations/{accra['id']}", json={"currency": "xo"}, headers=tenant.headers
    )
    assert bad.status_code == 422


def test_a_penalty_is_charged_in_the_currency_of_the_plan_or_location_it_arises_from(
    api: Api, container: Container, payments: FakePayments
) -> None:
    studio = open_studio(api, container, "fees-gym")
    client = studio.api.client
    policy = client.get("/booking-policy", headers=studio.admin).json()
    policy.pop("updated_at")
    policy.update(grace_allowance=0, late_cancel_fee="12.00", currency="EUR")
    assert client.put("/booking-policy", json=policy, headers=studio.admin).status_code == 200
    location = studio.desk.location["id"]
    patched = client.patch(f"/locations/{location}", json={"currency": "GHS"}, headers=studio.admin)
    assert patched.status_code == 200
    # A monthly member's fee: the location's currency.
    member = studio.member()
    booking = studio.booked(studio.session(starts_in=timedelta(hours=1)), member)
    assert studio.cancel(booking["id"]).status_code == 200
    # A class-pack member's fee: the pack's currency (the pack was sold in GBP).
    packer = studio.member(plan=studio.desk.plan(PACK, currency="USD"))
    packed = studio.booked(studio.session(starts_in=timedelta(hours=2)), packer)
    assert studio.cancel(packed["id"]).status_code == 200
    fees = {}
    for who in (member, packer):
        [fee] = client.get(f"/members/{who}/penalties", headers=studio.staff).json()["items"]
        fees[who] = (fee["outcome"], fee["currency"])
    assert fees == {member: ("fee", "GHS"), packer: ("fee", "USD")}
    assert sorted(r.currency for r in payments.charges.values()) == ["GHS", "USD"]


def test_receipts_are_emailed_as_pdf_to_the_member_or_another_address(
    api: Api, container: Container, payments: FakePayments, smtp: tuple[SmtpSink, int]
) -> None:
    mailbox = smtp[0]
    desk = open_desk(api, container, "mail-gym")
    member = desk.member(email="ama@mail.example")
    sale = sold(desk, member, desk.plan(DAY_PASS), "12.50")
    sent = api.client.post(f"/sales/{sale['sale_id']}/receipt/email", headers=desk.desk)
    assert sent.status_code == 200, sent.text
    assert sent.json() == {"receipt_number": 1, "sent_to": "ama@mail.example"}
    other = api.client.post(
        f"/sales/{sale['sale_id']}/receipt/email",
        json={"to_email": "accounts@firm.example"},
        headers=desk.desk,
    )
    assert other.status_code == 200
    [message] = mailbox.to("ama@mail.example")
    assert "Receipt No. 000001" in message["Subject"]
    [attachment] = list(message.iter_attachments())
    assert isinstance(attachment, EmailMessage)
    assert attachment.get_content_type() == "application/pdf"
    text = pdf_text(attachment.get_content())
    assert "Receipt No. 000001" in text and "12.50 GBP" in text
    assert len(mailbox.to("accounts@firm.example")) == 1
    # No address known and none given: a clear error, nothing sent.
    nobody = desk.member(first_name="Kofi")
    theirs = sold(desk, nobody, desk.plan(DAY_PASS, name="Another"), "12.50")
    refused = api.client.post(f"/sales/{theirs['sale_id']}/receipt/email", headers=desk.desk)
    assert refused.status_code == 422 and refused.json()["code"] == "no_email_address"
    assert len(mailbox.messages) == 2


class FrozenClock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)
        for module in (ledger, refunding):
            monkeypatch.setattr(module, "utcnow", lambda: self.now)

    def at(self, text: str) -> None:
        self.now = datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_revenue_per_group_period_and_currency_net_of_refunds_in_local_time(
    api: Api, container: Container, payments: FakePayments, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FrozenClock(monkeypatch)
    desk = open_desk(api, container, "revenue-gym", timezone="Europe/London")
    accra = api.create_location(desk.tenant, "Accra", timezone="Africa/Accra", currency="GHS")
    auckland = api.create_location(desk.tenant, "Auckland", timezone="Pacific/Auckland")
    gbp_plan = desk.plan(MONTHLY)
    ghs_plan = desk.plan(MONTHLY, name="Accra monthly", price="300.00", currency="GHS")
    day_pass = desk.plan(DAY_PASS)
    member = desk.member()
    clock.at("2026-01-10T10:00:00")
    first = sold(desk, member, gbp_plan, "45.00")
    clock.at("2026-01-15T10:00:00")
    sold(desk, member, ghs_plan, "300.00", currency="GHS")  # a GHS plan sold in London
    clock.at("2026-01-20T10:00:00")
    # Another member: one membership of a plan at a time.
    sold(desk, desk.member(), ghs_plan, "300.00", currency="GHS", location_id=accra["id"])
    clock.at("2026-01-31T12:00:00")  # 1 February, 01:00 in Auckland
    late = sold(desk, member, day_pass, "12.50", location_id=auckland["id"])
    clock.at("2026-02-03T10:00:00")
    refund = {"refund_id": str(uuid.uuid4()), "amount": "10.00", "reason": "moved"}
    refunded = api.client.post(
        f"/sales/{first['sale_id']}/refunds", json=refund, headers=desk.admin
    )
    assert refunded.status_code == 201, refunded.text

    def report(**params: Any) -> list[tuple[str, str, str, int, str, str, str]]:
        params = {"from": "2026-01-01", "to": "2026-02-28", **params}
        response = api.client.get("/reports/revenue", params=params, headers=desk.admin)
        assert response.status_code == 200, response.text
        # The answer is built without the framework's model: it must still be the documented one.
        RevenueReport.model_validate(response.json())
        assert all(set(r) == set(RevenueRow.model_fields) for r in response.json()["rows"])
        return [
            (
                r["group_name"],
                r["period_start"],
                r["currency"],
                r["sales"],
                r["gross"],
                r["refunds"],
                r["net"],
            )
            for r in response.json()["rows"]
        ]

    assert report(group_by="location", period="month") == [
        ("Accra", "2026-01-01", "GHS", 1, "300.00", "0.00", "300.00"),
        ("Osu Studio", "2026-01-01", "GBP", 1, "45.00", "0.00", "45.00"),
        ("Osu Studio", "2026-01-01", "GHS", 1, "300.00", "0.00", "300.00"),
        ("Auckland", "2026-02-01", "GBP", 1, "12.50", "0.00", "12.50"),
        ("Osu Studio", "2026-02-01", "GBP", 0, "0.00", "10.00", "-10.00"),
    ]
    by_plan = report(group_by="plan", period="week")
    assert by_plan == [
        ("Monthly unlimited", "2026-01-05", "GBP", 1, "45.00", "0.00", "45.00"),
        ("Accra monthly", "2026-01-12", "GHS", 1, "300.00", "0.00", "300.00"),
        ("Accra monthly", "2026-01-19", "GHS", 1, "300.00", "0.00", "300.00"),
        ("Day pass", "2026-01-26", "GBP", 1, "12.50", "0.00", "12.50"),
        ("Monthly unlimited", "2026-02-02", "GBP", 0, "0.00", "10.00", "-10.00"),
    ]
    assert report(group_by="plan", period="day")[3][1] == "2026-02-01"
    assert report(**{"from": "2026-02-02", "to": "2026-02-28"}) == [
        ("Monthly unlimited", "2026-02-01", "GBP", 0, "0.00", "10.00", "-10.00")
    ]

    # The ledger's period filter is in local days too.
    def days(first: str, last: str) -> list[str]:
        params = {"from": first, "to": last}
        items = api.client.get("/sales", params=params, headers=desk.admin).json()["items"]
        return [item["id"] for item in items]

    assert days("2026-02-01", "2026-02-01") == [late["sale_id"]]
    assert late["sale_id"] not in days("2026-01-01", "2026-01-31")
    assert len(days("2026-01-01", "2026-01-31")) == 3
    # Bad input is a clear 422; the report is for owners and managers.
    for bad in (
        {"group_by": "staff"},
        {"period": "year"},
        {"from": "2026-03-01"},
        {"from": "2020-01-01", "to": "2026-01-01"},
    ):
        params = {"from": "2026-01-01", "to": "2026-02-28", **bad}
        answer = api.client.get("/reports/revenue", params=params, headers=desk.admin)
        assert answer.status_code == 422, (bad, answer.text)
    no_dates = api.client.get("/reports/revenue", headers=desk.admin)
    assert no_dates.status_code == 422
    desk_answer = api.client.get(
        "/reports/revenue", params={"from": "2026-01-01", "to": "2026-01-31"}, headers=desk.desk
    )
    assert desk_answer.status_code == 403


def test_no_report_or_total_adds_two_currencies(
    api: Api, container: Container, payments: FakePayments
) -> None:
    desk = open_desk(api, container, "mixed-gym")
    accra = api.create_location(desk.tenant, "Accra", timezone="Africa/Accra", currency="GHS")
    plans = {
        "GBP": desk.plan(DAY_PASS),
        "GHS": desk.plan(DAY_PASS, name="Cedi pass", price="80.00", currency="GHS"),
        "USD": desk.plan(DAY_PASS, name="Dollar pass", price="9.99", currency="USD"),
    }
    prices = {"GBP": "12.50", "GHS": "80.00", "USD": "9.99"}
    member = desk.member()
    for place in (desk.location["id"], accra["id"]):
        for currency, plan in plans.items():
            sold(desk, member, plan, prices[currency], currency=currency, location_id=place)
    sales = api.client.get("/sales", headers=desk.admin).json()["items"]
    expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for sale in sales:
        assert sale["currency"] == {p: c for c, p in plans.items()}[sale["plan_id"]]
        expected[(sale["location_id"], sale["currency"])] += Decimal(sale["amount"])
    today = datetime.now(UTC).date()
    window = {
        "from": (today - timedelta(days=2)).isoformat(),
        "to": (today + timedelta(days=2)).isoformat(),
    }
    for group_by in ("location", "plan"):
        rows = api.client.get(
            "/reports/revenue", params={**window, "group_by": group_by}, headers=desk.admin
        ).json()["rows"]
        keys = [(r["group_id"], r["period_start"], r["currency"]) for r in rows]
        assert len(keys) == len(set(keys))
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for row in rows:
            totals[row["currency"]] += Decimal(row["gross"])
        assert dict(totals) == {
            "GBP": Decimal("25.00"),
            "GHS": Decimal("160.00"),
            "USD": Decimal("19.98"),
        }
    location_rows = api.client.get(
        "/reports/revenue", params={**window, "group_by": "location"}, headers=desk.admin
    ).json()["rows"]
    got = {(r["group_id"], r["currency"]): Decimal(r["gross"]) for r in location_rows}
    assert got == dict(expected)
