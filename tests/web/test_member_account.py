"""In a real Chromium, on a phone: a member opens Account, reads their memberships (one
overdue, a class pack with its receipt) and visit history, copies the calendar link and
gets a new one, edits the profile (a mistake first), is refused a password change with a
wrong current password, and with the network cut opens an account page and gets the
offline page. Someone who has not confirmed their email asks for the mail again from the
sign-in page's error. Every page is photographed at both sizes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import update

from server.members.models import Member
from server.plans.models import Membership, Sale
from server.sales.models import Refund
from shared.clock import utcnow
from tests.integration.members_helpers import SmtpSink, smtp_server
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import Provider, open_provider, photograph

SLUG = "account-browser-gym"
OWNER, OWNER_PASSWORD = f"owner@{SLUG}.example", "correct horse battery"
MEMBER, MEMBER_PASSWORD = f"ama@{SLUG}.example", "member web password"
NEWCOMER = f"esi@{SLUG}.example"


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSink, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def live_settings(smtp: tuple[SmtpSink, int]) -> dict[str, Any]:
    return {"smtp_host": "127.0.0.1", "smtp_port": smtp[1]}


def _provider(live: Live) -> Provider:
    return open_provider(
        live,
        slug=SLUG,
        name="Account Gym",
        currency="GHS",
        owner=(OWNER, OWNER_PASSWORD),
        location=("Osu Studio", "Africa/Accra"),
        member=(MEMBER, MEMBER_PASSWORD),
    )


def _post(api: httpx.Client, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    response = api.post(path, json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _member_history(live: Live, provider: Provider) -> None:
    """A monthly membership whose renewal failed, a class pack bought at the desk, visits."""
    plan = {"currency": "GHS", "price": "300.00"}
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        monthly = _post(
            api,
            "/plans",
            {**plan, "name": "Monthly unlimited", "kind": "recurring", "billing_period": "month"},
            provider.owner,
        )
        pack = _post(
            api,
            "/plans",
            {
                **plan,
                "name": "10 classes",
                "kind": "class_pack",
                "credits": 10,
                "validity_days": 90,
            },
            provider.owner,
        )
        held = _post(
            api,
            f"/members/{provider.member_id}/memberships",
            {"plan_id": monthly["id"], "starts_on": (date.today() - timedelta(days=3)).isoformat()},
            provider.owner,
        )
        sale_id = str(uuid.uuid4())
        _post(
            api,
            "/sales",
            {
                "sale_id": sale_id,
                "member_id": provider.member_id,
                "plan_id": pack["id"],
                "method": "card_terminal",
                "amount": "300.00",
                "currency": "GHS",
                "location_id": provider.location_id,
            },
            provider.owner,
        )
        # Part given back at the desk; another part waits for its provider (below).
        _post(
            api,
            f"/sales/{sale_id}/refunds",
            {"refund_id": str(uuid.uuid4()), "amount": "50.00", "reason": "two classes missed"},
            provider.owner,
        )
        # Every admission its own visit (no re-entry window), so both are in the history.
        policy = api.patch(
            "/checkin-policy", json={"reentry_window_minutes": 0}, headers=provider.owner
        )
        assert policy.status_code == 200, policy.text
        for _ in range(2):
            _post(
                api,
                "/checkins",
                {
                    "member_id": provider.member_id,
                    "location_id": provider.location_id,
                    "method": "manual",
                },
                provider.owner,
            )
    with live.container.uow() as uow:
        uow.db.execute(
            update(Membership)
            .where(Membership.id == uuid.UUID(held["id"]))
            .values(status="past_due")
        )
        tenant_id, sale = provider.tenant_id, uuid.UUID(sale_id)
        uow.db.add(
            Refund(
                tenant_id=tenant_id,
                id=uuid.uuid4(),
                sale_id=sale,
                amount=Decimal("25.00"),
                currency="GHS",
                reason="one class missed",
                refunded_by=uuid.uuid4(),
                state="pending",
                requested_at=utcnow(),
            )
        )
        uow.db.execute(
            update(Sale)
            .where(Sale.tenant_id == tenant_id, Sale.id == sale)
            .values(refunded_amount=Decimal("75.00"), refund_pending_amount=Decimal("25.00"))
        )
        uow.commit()


def _sign_in(page: Page, live: Live) -> None:
    page.goto(f"{live.url}/app/{SLUG}/signin")
    page.get_by_label("Email").fill(MEMBER)
    page.get_by_label("Password").fill(MEMBER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/pass")


def _profile_through_api(live: Live) -> dict[str, Any]:
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        login = api.post(
            "/members/login", json={"tenant": SLUG, "email": MEMBER, "password": MEMBER_PASSWORD}
        )
        bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
        found: dict[str, Any] = api.get("/me/profile", headers=bearer).json()
        return found


def test_a_member_reads_and_edits_their_account_and_goes_offline(
    live: Live, browser: Browser
) -> None:
    provider = _provider(live)
    _member_history(live, provider)
    width, height = SIZES["phone"]
    context = browser.new_context(viewport={"width": width, "height": height})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.url)
    page = context.new_page()
    _sign_in(page, live)
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Account")).to_be_visible()
    photograph(page, live, "app-account")

    page.get_by_role("link", name="My memberships").click()
    expect(page.get_by_role("heading", name="My memberships")).to_be_visible()
    expect(page.get_by_text("Payment overdue", exact=True)).to_be_visible()
    expect(page.get_by_text("10 credits left")).to_be_visible()
    expect(page.get_by_role("link", name="Receipt 1")).to_be_visible()
    receipt = page.locator("li", has=page.get_by_role("link", name="Receipt 1"))
    expect(receipt).to_contain_text("50.00 refunded")
    expect(receipt).to_contain_text("25.00 refund pending")
    photograph(page, live, "app-account-memberships")

    page.get_by_role("link", name="Account", exact=True).first.click()
    page.get_by_role("link", name="Visit history").click()
    expect(page.get_by_role("heading", name="Check-ins")).to_be_visible()
    assert page.locator(".history li").count() == 2
    photograph(page, live, "app-account-history")

    page.goto(f"{live.url}/app/account/calendar")
    address = page.get_by_label("Your private calendar address").input_value()
    assert address.startswith(f"{live.url}/calendars/") and address.endswith(".ics")
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#copy-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == address
    assert httpx.get(address).status_code == 200
    page.get_by_role("button", name="New link").click()
    expect(page.get_by_text("the old one no longer works")).to_be_visible()
    renewed = page.get_by_label("Your private calendar address").input_value()
    assert renewed != address and httpx.get(address).status_code == 404
    photograph(page, live, "app-account-calendar")

    page.goto(f"{live.url}/app/account/profile")
    page.get_by_label("First name").fill("")
    page.get_by_label("Phone").fill("+233 20 123 4567")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#first_name-error")).to_contain_text("first name")
    photograph(page, live, "app-account-profile-refused")
    assert _profile_through_api(live)["phone"] is None
    page.get_by_label("First name").fill("Abena")
    page.get_by_label("Fitness goals").fill("run 5k\nswim weekly")
    page.get_by_label("Email me reminders of my classes").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    photograph(page, live, "app-account-profile")
    saved = _profile_through_api(live)
    assert saved["first_name"] == "Abena" and saved["fitness_goals"] == ["run 5k", "swim weekly"]
    assert saved["preferences"] == {"class_reminders": True} and saved["phone"]

    page.goto(f"{live.url}/app/account/password")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill("another password 42")
    page.get_by_label("New password again").fill("another password 42")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#current_password-error")).to_have_text(
        "Your current password is not right."
    )
    photograph(page, live, "app-account-password-refused")

    # With the service worker in control, a page opened with no network is the offline page.
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(f"{live.url}/app/account")
    page.wait_for_function(
        "caches.open('zmos-app').then(c => c.match('/app/offline')).then(r => !!r)"
    )
    # The pass was saved when it first opened after signing in, before the worker ran.
    page.wait_for_function("caches.open('zmos-app').then(c => c.match('/app/pass')).then(r => !!r)")
    context.set_offline(True)
    page.goto(f"{live.url}/app/account/memberships")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    photograph(page, live, "app-offline")
    # The pass saved at sign-in still opens from there.
    page.get_by_role("link", name="Open my pass").click()
    expect(page.locator("img.qr")).to_be_visible()
    context.close()


def test_an_unconfirmed_member_asks_for_the_confirmation_email_again(
    live: Live, browser: Browser, smtp: tuple[SmtpSink, int]
) -> None:
    provider = _provider(live)
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        _post(
            api,
            "/members",
            {"first_name": "Esi", "last_name": "Owusu", "email": NEWCOMER},
            provider.owner,
        )
    with live.container.uow() as uow:
        uow.db.execute(
            update(Member)
            .where(Member.email == NEWCOMER)
            .values(password_hash=live.container.identity.hash_password(MEMBER_PASSWORD))
        )
        uow.commit()
    sink = smtp[0]
    sink.messages.clear()
    width, height = SIZES["phone"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live.url}/app/{SLUG}/signin")
    page.get_by_label("Email").fill(NEWCOMER)
    page.get_by_label("Password").fill(MEMBER_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Verify your email first")
    photograph(page, live, "app-signin-unconfirmed")
    page.get_by_role("link", name="Send me the confirmation email again").click()
    expect(page.get_by_label("Email")).to_have_value(NEWCOMER)
    photograph(page, live, "app-resend")
    page.get_by_role("button", name="Send it again").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    photograph(page, live, "app-resend-sent")
    (mail,) = sink.to(NEWCOMER)
    assert f"/app/{SLUG}/verify?code=" in str(mail.get_body(preferencelist=("plain",)))
    context.close()
