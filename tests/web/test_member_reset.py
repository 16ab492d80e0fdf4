"""In a real Chromium, keyboard only: a member who forgot their password asks for a link,
follows the one the mail carries (read from an SMTP server on loopback), chooses a new
password and signs in with it. Every page is photographed at a desktop and a phone size."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.integration.members_helpers import SmtpSink, smtp_server
from tests.web.conftest import SIZES, Live
from tests.web.pages import photograph
from tests.web.test_member_pass import MEMBER, SLUG, _provider

NEW_PASSWORD = "my new door password 7"


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSink, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def live_settings(smtp: tuple[SmtpSink, int]) -> dict[str, Any]:
    return {"smtp_host": "127.0.0.1", "smtp_port": smtp[1]}


def _tab_to(page: Page, selector: str) -> None:
    """Presses Tab until ``selector`` has the focus, as a keyboard user moves through a page."""
    for _ in range(20):
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def _mailed_link(sink: SmtpSink, live: Live) -> str:
    (mail,) = sink.to(MEMBER)
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(
        rf"{re.escape(live.url)}/app/{SLUG}/reset/confirm\?code=\S+", body.get_content()
    )
    assert found, body.get_content()
    return found.group(0)


def test_a_member_resets_the_password_from_the_emailed_link_keyboard_only(
    live: Live, browser: Browser, smtp: tuple[SmtpSink, int]
) -> None:
    sink = smtp[0]
    _provider(live)
    sink.messages.clear()  # the invitation sent when the desk added the member
    width, height = SIZES["phone"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live.url}/app/{SLUG}/signin")
    _tab_to(page, f'a[href="/app/{SLUG}/reset"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/{SLUG}/reset")
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    photograph(page, live, "app-reset")
    _tab_to(page, "#email")
    page.keyboard.type(MEMBER)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    photograph(page, live, "app-reset-sent")
    # The member opens the link from the mail.
    page.goto(_mailed_link(sink, live))
    expect(page.get_by_role("heading", name="Choose a password")).to_be_visible()
    photograph(page, live, "app-reset-confirm")
    _tab_to(page, "#password")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type("a different one 123")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("not the same")
    photograph(page, live, "app-reset-confirm-refused")
    _tab_to(page, "#password")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your password is set")).to_be_visible()
    photograph(page, live, "app-reset-done")
    _tab_to(page, f'a.button[href="/app/{SLUG}/signin"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/{SLUG}/signin")
    _tab_to(page, "#email")
    page.keyboard.type(MEMBER)
    page.keyboard.press("Tab")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/pass")
    expect(page.get_by_role("heading", name="Ama Mensah")).to_be_visible()
    context.close()


def test_the_sign_up_pages_fit_a_phone_and_a_desktop(live: Live, browser: Browser) -> None:
    _provider(live)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live.url}/app/{SLUG}/signup")
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    photograph(page, live, "app-signup")
    page.get_by_label("First name").fill("Esi")
    page.get_by_label("Last name").fill("Owusu")
    page.get_by_label("Email").fill("esi@browser-gym.example")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(f"{live.url}/app/{SLUG}/verify?code=ev.not-a-real-code")
    page.get_by_role("button", name="Confirm my email").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    photograph(page, live, "app-verify-refused")
    context.close()
