"""The console's payment pages on both databases, against loopback Stripe and Paystack: an
owner's keys set through Set-up → Payments (refusals change nothing; only the owner), the
reconciliation of one tenant's ledger (another tenant's sales at the same Stripe account
never named on it), and a member's card on file and refunds on their page."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from server.bootstrap import Container
from server.config import Settings
from server.main import create_app
from server.payments.models import PaymentAccount
from tests.integration.helpers import PASSWORD, Api
from tests.integration.plans_helpers import Desk
from tests.integration.psp_helpers import (
    STRIPE_KEY,
    STRIPE_WHSEC,
    Psps,
    card_on_file,
    loopback_psps,
    psp_desk,
    psp_settings,
    sale_body,
)
from tests.integration.web_helpers import csrf_of, staff_signs_in

PAGE = "/manage/setup/payments"
RECONCILE = "/manage/reports/reconciliation"


@pytest.fixture
def psps() -> Iterator[Psps]:
    with loopback_psps() as both:
        yield both


@pytest.fixture
def settings(settings: Settings, psps: Psps) -> Settings:
    return psp_settings(settings, psps).model_copy(update={"psp_retries": 0})


Browse = Callable[[str, str], TestClient]


@pytest.fixture
def browse(container: Container) -> Iterator[Browse]:
    """A signed-in browser for (slug, email); each closed at the end of the test."""
    with ExitStack() as opened:

        def signed_in(slug: str, email: str) -> TestClient:
            client = TestClient(create_app(container=container), raise_server_exceptions=False)
            opened.enter_context(client)
            assert staff_signs_in(client, slug, email, PASSWORD).status_code == 303
            return client

        yield signed_in


def _hints(container: Container, tenant_id: str) -> dict[str, str]:
    with container.uow() as uow:
        rows = uow.db.scalars(
            select(PaymentAccount).where(PaymentAccount.tenant_id == uuid.UUID(tenant_id))
        ).all()
        return {row.provider: row.key_hint for row in rows}


def _post(client: TestClient, provider: str, **fields: str) -> Any:
    shown = client.get(PAGE)
    assert shown.status_code == 200, shown.text
    return client.post(
        f"{PAGE}/{provider}",
        data={"csrf": csrf_of(shown.text), **fields},
        follow_redirects=False,
    )


def test_only_an_owner_sets_the_keys_and_a_refusal_changes_nothing(
    api: Api, container: Container, browse: Browse
) -> None:
    tenant = api.sign_up("web-psp-keys")
    api.create_staff(tenant, "manager", "mo@web-psp-keys.example")
    owner = browse("web-psp-keys", "owner@web-psp-keys.example")
    for provider, fields, said in (
        ("stripe", {"secret_key": "sk_live_short", "webhook_secret": STRIPE_WHSEC}, "sk_test_"),
        ("stripe", {"secret_key": STRIPE_KEY, "webhook_secret": "whsec_x"}, "whsec_, then"),
        ("stripe", {"secret_key": STRIPE_KEY}, "webhook endpoint&#39;s signing secret"),
        ("paystack", {"secret_key": STRIPE_KEY, "webhook_secret": STRIPE_WHSEC}, "Paystack signs"),
        ("stripe", {"secret_key": "x" * 5000, "webhook_secret": "\x00"}, "sk_test_"),
    ):
        refused = _post(owner, provider, **fields)
        assert refused.status_code == 422, refused.text
        assert said in refused.text
        assert _hints(container, tenant.id) == {}
    assert _post(owner, "square", secret_key=STRIPE_KEY).status_code == 404
    saved = _post(owner, "stripe", secret_key=STRIPE_KEY, webhook_secret=STRIPE_WHSEC)
    assert saved.status_code == 303 and saved.headers["location"] == f"{PAGE}?saved=stripe"
    assert _hints(container, tenant.id) == {"stripe": STRIPE_KEY[-4:]}
    shown = owner.get(f"{PAGE}?saved=stripe").text
    assert "Stripe&#39;s keys are saved." in shown and STRIPE_KEY not in shown
    assert f"/payments/webhooks/stripe/{tenant.slug}" in shown
    read = api.client.get("/payments/accounts/stripe", headers=tenant.headers).json()
    assert read["key_hint"] == STRIPE_KEY[-4:] and read["has_webhook_secret"] is True
    # A form without its token is refused before anything else.
    forged = owner.post(f"{PAGE}/stripe", data={"secret_key": "sk_test_forged000001"})
    assert forged.status_code == 403

    manager = browse("web-psp-keys", "mo@web-psp-keys.example")
    assert manager.get(PAGE).status_code == 403
    assert 'href="/manage/setup/payments"' not in manager.get("/manage/setup").text
    token = csrf_of(manager.get("/manage/setup/webhooks").text)
    posted = manager.post(
        f"{PAGE}/stripe",
        data={"csrf": token, "secret_key": "sk_test_managerkey001", "webhook_secret": STRIPE_WHSEC},
    )
    assert posted.status_code == 403
    assert _hints(container, tenant.id) == {"stripe": STRIPE_KEY[-4:]}
    with TestClient(create_app(container=container)) as anonymous:
        assert anonymous.get(PAGE, follow_redirects=False).status_code in (302, 303)


def _card_sale(api: Api, desk: Desk, plan: str, first_name: str) -> dict[str, str]:
    member = desk.member(first_name=first_name)
    card_on_file(api, desk, member)
    sold = api.client.post(
        "/sales", json=sale_body(desk, member, plan, "card_on_file"), headers=desk.desk
    )
    assert sold.status_code == 201, sold.text
    return {"member_id": member, "sale_id": sold.json()["sale_id"]}


def test_reconciliation_names_only_this_tenants_sales(
    api: Api, container: Container, psps: Psps, browse: Browse
) -> None:
    ours, plan = psp_desk(api, container, "web-recon-ours")
    theirs, their_plan = psp_desk(api, container, "web-recon-theirs")
    matched = _card_sale(api, ours, plan, "Kwame")
    changed = _card_sale(api, ours, plan, "Efua")
    _card_sale(api, theirs, their_plan, "Elsewhere")  # the same loopback Stripe account
    for intent in psps.stripe.intents.values():
        if intent["metadata"]["zmos_payment_id"] == changed["sale_id"]:
            intent["amount"] = 2000
    api.create_staff(ours.tenant, "manager", "mo@web-recon-ours.example")
    manager = browse("web-recon-ours", "mo@web-recon-ours.example")
    today = time.strftime("%Y-%m-%d", time.gmtime())
    page = manager.get(RECONCILE, params={"provider": "stripe", "start": today, "end": today})
    assert page.status_code == 200, page.text
    html = page.text
    assert "data-matched>1<" in html and "data-mismatched>2<" in html
    assert 'data-kind="amount_mismatch"' in html and "Efua Mensah" in html
    assert f"/manage/members/{changed['member_id']}#payments" in html
    assert 'data-kind="missing_ours"' in html and "Not in our ledger" in html
    assert "Elsewhere" not in html and matched["sale_id"] not in html
    # Bad periods and providers: 422 with the words, Stripe not asked.
    asked = len(psps.stripe.calls)
    for params, said in (
        ({"start": today, "end": "2001-01-01"}, "The last day comes before the first."),
        ({"start": "31/12/2026"}, "Give the day as a date"),
        ({"provider": "cash"}, "Choose a payment provider"),
        ({"start": "2026-01-01", "end": "2026-12-31"}, "at most 92 days"),
    ):
        refused = manager.get(RECONCILE, params=params)
        assert refused.status_code == 422 and said in refused.text, params
    assert len(psps.stripe.calls) == asked
    psps.stripe.faults = ["503"]
    down = manager.get(RECONCILE, params={"start": today, "end": today})
    assert down.status_code == 200 and 'data-state="down"' in down.text
    desk = browse("web-recon-ours", "desk@web-recon-ours.example")
    assert desk.get(RECONCILE).status_code == 403


def test_a_members_page_shows_the_card_and_refunds_not_done(
    api: Api, container: Container, psps: Psps, browse: Browse
) -> None:
    desk, plan = psp_desk(api, container, "web-psp-member")
    sale = _card_sale(api, desk, plan, "Abena")
    refunds = f"/sales/{sale['sale_id']}/refunds"
    psps.stripe.faults = ["503"]
    body = {"refund_id": str(uuid.uuid4()), "amount": "5.00", "reason": "overcharged"}
    pending = api.client.post(refunds, json=body, headers=desk.admin)
    assert pending.status_code == 202, pending.text
    [intent] = psps.stripe.intents.values()
    intent["amount_refunded"] = 2500
    body = {"refund_id": str(uuid.uuid4()), "amount": "10.00", "reason": "moved away"}
    declined = api.client.post(refunds, json=body, headers=desk.admin)
    assert declined.status_code == 402, declined.text
    front = browse("web-psp-member", "desk@web-psp-member.example")
    html = front.get(f"/manage/members/{sale['member_id']}").text
    assert "pm_card_visa" in html and "cus_Loop1234" in html
    assert 'data-refund="pending"' in html and "overcharged" in html
    assert 'data-refund="declined"' in html and "greater than unrefunded" in html
    assert "Visa ending" not in html  # the card's details were not sent
    # The details staff see of the card, as Stripe's PaymentMethod gives them; bad ones are
    # refused and change nothing.
    cards = f"/payments/cards/{sale['member_id']}"
    card = {"customer_id": "cus_Loop1234", "payment_method_id": "pm_card_mastercard"}
    for bad in (
        {"brand": "bitcoin"},
        {"last4": "42a4"},
        {"last4": "42424"},
        {"exp_month": 13},
        {"exp_year": 99},
    ):
        refused = api.client.put(cards, json={**card, **bad}, headers=desk.admin)
        assert refused.status_code == 422, bad
    assert "pm_card_visa" in front.get(f"/manage/members/{sale['member_id']}").text
    details = {"brand": "mastercard", "last4": "4444", "exp_month": 3, "exp_year": 2031}
    put = api.client.put(cards, json={**card, **details}, headers=desk.admin)
    assert put.status_code == 200 and put.json()["last4"] == "4444", put.text
    html = front.get(f"/manage/members/{sale['member_id']}").text
    assert "Mastercard ending 4444, expires 03/2031" in html and "data-card-expired" not in html
    old = {**details, "exp_year": 2020}
    assert api.client.put(cards, json={**card, **old}, headers=desk.admin).status_code == 200
    assert "data-card-expired" in front.get(f"/manage/members/{sale['member_id']}").text
    other, _ = psp_desk(api, container, "web-psp-other")
    stranger = other.member(first_name="Stranger")
    assert front.get(f"/manage/members/{stranger}").status_code == 404
    plain = desk.member(first_name="Cash")
    assert "No card on file." in front.get(f"/manage/members/{plain}").text
