"""In a real Chromium, against loopback Stripe and Paystack servers: an owner sets the
tenant's PSP keys in Set-up → Payments (bad keys refused, said, nothing stored; the key never
shown back; the webhook address shown is the one that verifies with the secret set there);
owners and managers reconcile the ledger with Stripe in Reports → Reconciliation and follow a
mismatch to the member's page, where the card on file and pending and declined refunds show.
Managers may not see the keys; front-desk staff may not open the reports."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from server.payments.models import PaymentAccount
from tests.integration.psp_helpers import (
    PAYSTACK_KEY,
    STRIPE_KEY,
    STRIPE_WHSEC,
    Psps,
    loopback_psps,
)
from tests.loopback import stripe as stripe_api
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import Provider, open_provider, photograph

SLUG = "payments-browser-gym"
OWNER, PASSWORD = "owner@payments-browser-gym.example", "correct horse battery"
MANAGER, FRONT_DESK = "mo@payments-browser-gym.example", "fd@payments-browser-gym.example"
STAFF_PASSWORD = "staff web password 1"


@pytest.fixture
def psps() -> Iterator[Psps]:
    with loopback_psps() as both:
        yield both


@pytest.fixture
def live_settings(psps: Psps) -> dict[str, Any]:
    # Standalone in both passes of the suite: the server's own PSP adapters, on loopback.
    return {
        "mode": "standalone",
        "payment_providers": "stripe,paystack",
        "stripe_api_url": psps.stripe_url,
        "paystack_api_url": psps.paystack_url,
        "psp_timeout_seconds": 1.0,
        "psp_retries": 0,
    }


def _provider(live: Live) -> Provider:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Payments Gym",
        currency="GHS",
        owner=(OWNER, PASSWORD),
        location=("Osu Studio", "Africa/Accra"),
        member=("ama@payments-browser-gym.example", "member web password"),
    )
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        for email, role in ((MANAGER, "manager"), (FRONT_DESK, "front_desk")):
            made = api.post(
                "/staff",
                json={
                    "name": f"{role} person",
                    "email": email,
                    "role": role,
                    "password": STAFF_PASSWORD,
                },
                headers=provider.owner,
            )
            assert made.status_code == 201, made.text
    return provider


def _signed_in(browser: Browser, live: Live, email: str, password: str) -> Page:
    width, height = SIZES["desktop"]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(SLUG)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"{re.escape(live.url)}/manage"))
    return page


def _accounts(live: Live) -> list[PaymentAccount]:
    with live.container.uow() as uow:
        rows = list(uow.db.scalars(select(PaymentAccount)).all())
        for row in rows:
            uow.db.expunge(row)
        return rows


def _csrf(page: Page) -> str:
    page.goto(page.url.split("/manage")[0] + "/manage/setup/webhooks")
    return page.locator("input[name=csrf]").first.get_attribute("value") or ""


def test_an_owner_sets_the_psp_keys_and_a_manager_may_not(live: Live, browser: Browser) -> None:
    _provider(live)
    page = _signed_in(browser, live, OWNER, PASSWORD)
    page.goto(f"{live.url}/manage/setup")
    page.get_by_role("link", name="Payments").click()
    page.wait_for_url(f"{live.url}/manage/setup/payments")
    stripe = page.locator("[data-provider=stripe]")
    paystack = page.locator("[data-provider=paystack]")
    expect(stripe.locator("[data-state]")).to_contain_text("Not set")
    expect(paystack.locator("[data-state]")).to_contain_text("Not set")
    hook_url = f"{live.url}/payments/webhooks/stripe/{SLUG}"
    expect(stripe.locator("[data-webhook-url]")).to_have_text(hook_url)
    expect(paystack.locator("[data-webhook-url]")).to_have_text(
        f"{live.url}/payments/webhooks/paystack/{SLUG}"
    )
    photograph(page, live, "manage-payments-unset")

    # A publishable key in place of the secret key: said beside the field, nothing stored.
    stripe.get_by_label("Secret key").fill("pk_live_abcdefgh1234")
    stripe.get_by_label("Webhook signing secret").fill(STRIPE_WHSEC)
    stripe.get_by_role("button", name="Save Stripe keys").click()
    expect(stripe.locator("#stripe-secret-error")).to_contain_text("starts sk_test_ or sk_live_")
    expect(stripe.get_by_label("Secret key")).to_have_attribute("aria-invalid", "true")
    assert _accounts(live) == []
    # No webhook signing secret for Stripe: the service's own words, nothing stored.
    stripe.get_by_label("Secret key").fill(STRIPE_KEY)
    stripe.get_by_label("Webhook signing secret").fill("")
    stripe.get_by_role("button", name="Save Stripe keys").click()
    expect(stripe.get_by_role("alert")).to_contain_text("webhook endpoint's signing secret")
    assert _accounts(live) == []
    photograph(page, live, "manage-payments-refused")

    stripe.get_by_label("Secret key").fill(STRIPE_KEY)
    stripe.get_by_label("Webhook signing secret").fill(STRIPE_WHSEC)
    stripe.get_by_role("button", name="Save Stripe keys").click()
    expect(page.get_by_role("status")).to_have_text("Stripe's keys are saved.")
    expect(stripe.locator("[data-key-hint]")).to_have_text(STRIPE_KEY[-4:])
    expect(stripe.locator("[data-state]")).to_contain_text("webhook signing secret set")
    paystack.get_by_label("Secret key").fill(PAYSTACK_KEY)
    paystack.get_by_role("button", name="Save Paystack keys").click()
    expect(page.get_by_role("status")).to_have_text("Paystack's keys are saved.")
    expect(paystack.locator("[data-key-hint]")).to_have_text(PAYSTACK_KEY[-4:])
    html = page.content()
    assert STRIPE_KEY not in html and STRIPE_WHSEC not in html and PAYSTACK_KEY not in html
    photograph(page, live, "manage-payments-set")

    # Sealed at rest, and the webhook address shown verifies with the secret set here.
    rows = {row.provider: row for row in _accounts(live)}
    assert set(rows) == {"stripe", "paystack"}
    assert STRIPE_KEY.encode() not in rows["stripe"].sealed_secret_key
    body = stripe_api.event("evt_console_1", "payment_intent.succeeded", {"id": "pi_x"})
    for signed_with, status in (("whsec_not_the_one_set_0", 400), (STRIPE_WHSEC, 200)):
        sent = httpx.post(
            hook_url,
            content=body,
            headers={"Stripe-Signature": stripe_api.sign(body, signed_with)},
            timeout=SETUP_TIMEOUT,
        )
        assert sent.status_code == status, sent.text

    # A manager opens Set-up but not the keys: no link, the page and its form refused.
    manager = _signed_in(browser, live, MANAGER, STAFF_PASSWORD)
    manager.goto(f"{live.url}/manage/setup")
    expect(manager.get_by_role("link", name="Webhooks")).to_be_visible()
    expect(manager.get_by_role("link", name="Payments")).to_have_count(0)
    refused = manager.goto(f"{live.url}/manage/setup/payments")
    assert refused is not None and refused.status == 403
    expect(manager.get_by_text("Only an owner may")).to_be_visible()
    posted = manager.request.post(
        f"{live.url}/manage/setup/payments/stripe",
        form={"csrf": _csrf(manager), "secret_key": "sk_test_managerkey0001"},
    )
    assert posted.status == 403
    assert {row.provider: row.key_hint for row in _accounts(live)}["stripe"] == STRIPE_KEY[-4:]
    # An address naming no provider is not found.
    owner_missing = page.goto(f"{live.url}/manage/setup/payments/square", wait_until="load")
    assert owner_missing is not None and owner_missing.status in (404, 405)


def _sell(api: httpx.Client, provider: Provider, plan: str, first_name: str) -> dict[str, Any]:
    member = api.post(
        "/members",
        json={"first_name": first_name, "last_name": "Payer"},
        headers=provider.owner,
    )
    assert member.status_code == 201, member.text
    member_id = member.json()["id"]
    card = api.put(
        f"/payments/cards/{member_id}",
        json={
            "customer_id": "cus_Loop1234",
            "payment_method_id": "pm_card_visa",
            "brand": "visa",
            "last4": "4242",
            "exp_month": 12,
            "exp_year": 2034,
        },
        headers=provider.owner,
    )
    assert card.status_code == 200, card.text
    sold = api.post(
        "/sales",
        json={
            "sale_id": str(uuid.uuid4()),
            "member_id": member_id,
            "plan_id": plan,
            "method": "card_on_file",
            "amount": "25.00",
            "currency": "GHS",
            "location_id": provider.location_id,
        },
        headers=provider.owner,
    )
    assert sold.status_code == 201, sold.text
    return {"member_id": member_id, **sold.json()}


def _refund(api: httpx.Client, provider: Provider, sale_id: str) -> httpx.Response:
    return api.post(
        f"/sales/{sale_id}/refunds",
        json={"refund_id": str(uuid.uuid4()), "amount": "10.00", "reason": "moved away"},
        headers=provider.owner,
    )


def _ledger(live: Live, psps: Psps) -> tuple[Provider, dict[str, dict[str, Any]]]:
    """Three card sales through Stripe: one matches, one Stripe has for another amount, one
    Stripe lost; and a charge made outside ZMOS. The matched one has a refund Stripe could
    not answer (pending), the changed one a refund Stripe refused (declined)."""
    provider = _provider(live)
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        # Stripe's keys only: Paystack stays not set up.
        put = api.put(
            "/payments/accounts/stripe",
            json={"secret_key": STRIPE_KEY, "webhook_secret": STRIPE_WHSEC},
            headers=provider.owner,
        )
        assert put.status_code == 200, put.text
        plan = api.post(
            "/plans",
            json={"name": "Day pass", "kind": "day_pass", "price": "25.00", "currency": "GHS"},
            headers=provider.owner,
        )
        assert plan.status_code == 201, plan.text
        sales = {
            name: _sell(api, provider, plan.json()["id"], name)
            for name in ("Matched", "Changed", "Lost")
        }
        by_sale = {i["metadata"]["zmos_payment_id"]: i for i in psps.stripe.intents.values()}
        psps.stripe.faults = ["503"]
        pending = _refund(api, provider, sales["Matched"]["sale_id"])
        assert pending.status_code == 202, pending.text
        by_sale[sales["Changed"]["sale_id"]]["amount_refunded"] = 2500  # refunded at Stripe
        declined = _refund(api, provider, sales["Changed"]["sale_id"])
        assert declined.status_code == 402, declined.text
    by_sale[sales["Changed"]["sale_id"]]["amount"] = 2000
    del psps.stripe.intents[by_sale[sales["Lost"]["sale_id"]]["id"]]
    psps.stripe.add_intent(700, "ghs", {})
    return provider, sales


def test_a_manager_reconciles_with_stripe_and_follows_a_mismatch(
    live: Live, browser: Browser, psps: Psps
) -> None:
    _, sales = _ledger(live, psps)
    page = _signed_in(browser, live, MANAGER, STAFF_PASSWORD)
    page.goto(f"{live.url}/manage/reports")
    page.get_by_role("navigation", name="Reports").get_by_role(
        "link", name="Reconciliation"
    ).click()
    page.wait_for_url(re.compile(r".*/manage/reports/reconciliation"))
    # The default period (the seven days before today) has nothing: the sales are today's.
    expect(page.get_by_label("Provider")).to_have_value("stripe")
    expect(page.locator("[data-all-matched]")).to_have_text(
        "No payments through Stripe in this period, on either side."
    )
    photograph(page, live, "manage-reconciliation-empty")

    today = time.strftime("%Y-%m-%d", time.gmtime())
    page.get_by_label("From").fill(today)
    page.get_by_label("To").fill(today)
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("[data-matched]")).to_have_text("1")
    expect(page.locator("[data-mismatched]")).to_have_text("3")
    changed = page.locator("tr[data-kind=amount_mismatch]")
    expect(changed).to_contain_text("Amounts differ")
    expect(changed).to_contain_text("Changed Payer")
    expect(changed).to_contain_text("25.00")
    expect(changed).to_contain_text("20.00")
    expect(page.locator("tr[data-kind=missing_theirs]")).to_contain_text("Lost Payer")
    outside = page.locator("tr[data-kind=missing_ours]")
    expect(outside).to_contain_text("At Stripe, not in ZMOS")
    expect(outside).to_contain_text("Not in our ledger")
    expect(outside).to_contain_text("7.00")
    photograph(page, live, "manage-reconciliation-mismatches")

    # The mismatch's sale link opens its member's payments: the card, the declined refund.
    changed.get_by_role("link").click()
    page.wait_for_url(f"{live.url}/manage/members/{sales['Changed']['member_id']}#payments")
    payments = page.locator("#payments")
    expect(payments.locator("[data-card]")).to_have_text("Visa ending 4242, expires 12/2034")
    expect(payments.locator("[data-refund=declined]")).to_contain_text("Refund declined")
    expect(payments.locator("[data-refund=declined]")).to_contain_text("greater than unrefunded")
    photograph(page, live, "manage-member-payments-declined")
    page.goto(f"{live.url}/manage/members/{sales['Matched']['member_id']}")
    expect(page.locator("#payments [data-refund=pending]")).to_contain_text("Refund pending")
    expect(page.locator("#payments [data-refund=pending]")).to_contain_text("10.00")

    base = f"{live.url}/manage/reports/reconciliation"
    # Bad periods: said, with a 422, and Stripe not asked.
    asked = len(psps.stripe.calls)
    for query, said in (
        (f"start={today}&end=2020-01-01", "The last day comes before the first."),
        ("start=yesterday", "Give the day as a date (YYYY-MM-DD)."),
        ("provider=square", "Choose a payment provider from the list."),
    ):
        answer = page.goto(f"{base}?{query}")
        assert answer is not None and answer.status == 422
        expect(page.locator("p.alert")).to_have_text(said)
    answer = page.goto(f"{base}?start=2026-01-01&end=2026-06-30")
    assert answer is not None and answer.status == 422
    expect(page.get_by_role("alert")).to_contain_text("at most 92 days")
    assert len(psps.stripe.calls) == asked
    # Stripe down: said, nothing compared.
    psps.stripe.faults = ["503"]
    page.goto(f"{base}?start={today}&end={today}")
    expect(page.locator("[data-state=down]")).to_contain_text("Stripe could not be reached")
    # Paystack has no keys here: the page says where to set them.
    page.goto(f"{base}?provider=paystack")
    expect(page.locator("[data-state=no_account]")).to_contain_text(
        "Paystack is not set up for Payments Gym"
    )
    photograph(page, live, "manage-reconciliation-no-account")

    # Front-desk staff do not open the reports.
    desk = _signed_in(browser, live, FRONT_DESK, STAFF_PASSWORD)
    refused = desk.goto(base)
    assert refused is not None and refused.status == 403


@pytest.mark.parametrize("live_settings", [{"payment_providers": ""}])
def test_without_a_psp_the_reconciliation_says_so(live: Live, browser: Browser) -> None:
    _provider(live)
    page = _signed_in(browser, live, OWNER, PASSWORD)
    page.goto(f"{live.url}/manage/reports/reconciliation")
    expect(page.locator("[data-state=off]")).to_contain_text("No payment provider on this server")
    expect(page.get_by_label("Provider")).to_have_count(0)
    photograph(page, live, "manage-reconciliation-off")
    page.goto(f"{live.url}/manage/setup/payments")
    expect(page.locator("[data-provider=stripe]")).to_contain_text("Not switched on")
