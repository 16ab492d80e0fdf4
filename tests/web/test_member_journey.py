"""In a real Chromium on a phone, one member's whole way in: they sign up on the provider's
page, confirm their email from the link the mail carries (an SMTP server on loopback), get
a membership at the desk, sign in, book a class, cancel it in good time, and open their
pass at the door with the network cut."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.integration.members_helpers import SmtpSink, smtp_server
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.test_member_booking import LONDON, SLUG, _studio
from tests.web.test_member_pass import _qr_text

NEW_MEMBER, NEW_PASSWORD = "esi@timetable-gym.example", "esi's own long password"


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSink, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def live_settings(smtp: tuple[SmtpSink, int]) -> dict[str, Any]:
    return {"smtp_host": "127.0.0.1", "smtp_port": smtp[1]}


def _confirmation_link(sink: SmtpSink, live: Live) -> str:
    (mail,) = sink.to(NEW_MEMBER)
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(rf"{re.escape(live.url)}/app/{SLUG}/verify\?code=\S+", body.get_content())
    assert found, body.get_content()
    return found.group(0)


def test_a_new_member_signs_up_books_cancels_and_opens_the_pass_offline(
    live: Live, browser: Browser, smtp: tuple[SmtpSink, int]
) -> None:
    provider, _ = _studio(live)
    sink = smtp[0]
    width, height = SIZES["phone"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live.url}/app/{SLUG}")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("First name").fill("Esi")
    page.get_by_label("Last name").fill("Owusu")
    page.get_by_label("Email").fill(NEW_MEMBER)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    # Unconfirmed, the account does not sign in yet.
    page.goto(f"{live.url}/app/{SLUG}/signin")
    page.get_by_label("Email").fill(NEW_MEMBER)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Verify your email first")
    page.goto(_confirmation_link(sink, live))
    page.get_by_role("button", name="Confirm my email").click()
    expect(page.get_by_role("heading", name="Your email is confirmed")).to_be_visible()
    # The desk sells the new member a plan (the provider's monthly one).
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        found = api.get("/members", params={"q": "Owusu"}, headers=provider.owner).json()
        (esi,) = found["items"]
        plans = api.get("/plans", headers=provider.owner).json()["items"]
        monthly = next(p for p in plans if p["name"] == "Monthly")
        sold = api.post(
            f"/members/{esi['id']}/memberships",
            json={"plan_id": monthly["id"], "starts_on": datetime.now(LONDON).date().isoformat()},
            headers=provider.owner,
        )
        assert sold.status_code == 201, sold.text
    page.goto(f"{live.url}/app/{SLUG}/signin")
    page.get_by_label("Email").fill(NEW_MEMBER)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/pass")
    expect(page.get_by_role("heading", name="Esi Owusu")).to_be_visible()
    # Tomorrow's 07:00 HIIT: booked, then cancelled well before the late-cancel window.
    tomorrow = (datetime.now(LONDON) + timedelta(days=1)).date().isoformat()
    page.goto(f"{live.url}/app/timetable?day={tomorrow}")
    early = page.locator(".session-card").filter(has_text="HIIT").first
    early.get_by_role("button", name="Book").click()
    expect(page.get_by_role("status")).to_have_text("You are booked in.")
    page.get_by_role("link", name="Bookings").click()
    upcoming = page.locator('[data-group="upcoming"] .session-card')
    expect(upcoming).to_have_count(1)
    upcoming.get_by_role("button", name="Cancel").click()
    page.wait_for_url(f"{live.url}/app/bookings?done=cancelled")
    expect(page.locator('[data-group="upcoming"] .session-card')).to_have_count(0)
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        login = api.post(
            "/members/login", json={"tenant": SLUG, "email": NEW_MEMBER, "password": NEW_PASSWORD}
        )
        bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
        mine = api.get("/me/bookings", headers=bearer).json()["items"]
        assert [(b["status"], b.get("cancel_kind")) for b in mine] == [("cancelled", "in_time")]
        token = api.get("/me/pass", headers=bearer).json()["token"]
    # At the door, with no network: the pass the phone saved.
    page.get_by_role("link", name="My pass").click()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.reload()
    page.wait_for_function("caches.open('zmos-app').then(c => c.match('/app/pass')).then(r => !!r)")
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Esi Owusu")).to_be_visible()
    assert _qr_text(page) == token
    context.close()
