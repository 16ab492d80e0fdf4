"""In a real Chromium: a manager who forgot the password asks for a link with the keyboard,
follows the one the mail carries (read from an SMTP server on loopback), chooses a new
password and signs in; then invites a new colleague from Set-up and sends the invitation
again. Every page is photographed at a desktop and a phone size."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.integration.members_helpers import SmtpSink, smtp_server
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph
from tests.web.test_member_reset import _tab_to

SLUG = "reset-console-gym"
OWNER, PASSWORD = f"owner@{SLUG}.example", "correct horse battery"
MANAGER = f"mina@{SLUG}.example"
COLLEAGUE = f"kojo@{SLUG}.example"
NEW_PASSWORD = "my new console password 5"


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSink, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def live_settings(smtp: tuple[SmtpSink, int]) -> dict[str, Any]:
    return {"smtp_host": "127.0.0.1", "smtp_port": smtp[1]}


def _mailed_link(sink: SmtpSink, live: Live, to: str) -> str:
    mail = sink.to(to)[-1]
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(rf"{re.escape(live.url)}/manage/reset/confirm\?code=\S+", body.get_content())
    assert found, body.get_content()
    return found.group(0)


def _manager(live: Live) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Reset Console Gym",
        currency="GBP",
        owner=(OWNER, PASSWORD),
        location=("Harbour", "Europe/London"),
        member=(f"ama@{SLUG}.example", "member web password"),
    )
    body = {"name": "Mina Manager", "email": MANAGER, "role": "manager", "password": PASSWORD}
    made = httpx.post(f"{live.url}/staff", json=body, headers=provider.owner, timeout=SETUP_TIMEOUT)
    assert made.status_code == 201, made.text


def test_a_manager_resets_the_password_by_keyboard_and_invites_a_colleague(
    live: Live, browser: Browser, smtp: tuple[SmtpSink, int]
) -> None:
    sink = smtp[0]
    _manager(live)
    sink.messages.clear()  # the member's invitation
    width, height = SIZES["desktop"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live.url}/manage/signin")
    _tab_to(page, 'a[href="/manage/reset"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/manage/reset")
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    photograph(page, live, "manage-reset")
    _tab_to(page, "#tenant")
    page.keyboard.type(SLUG)
    page.keyboard.press("Tab")
    page.keyboard.type("not an address")
    page.keyboard.press("Enter")
    # The browser's own check stops a malformed address; the field says what is wrong.
    assert page.url == f"{live.url}/manage/reset"
    page.keyboard.press("Control+A")
    page.keyboard.type(MANAGER)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    photograph(page, live, "manage-reset-sent")

    page.goto(_mailed_link(sink, live, MANAGER))
    expect(page.get_by_role("heading", name="Choose a password")).to_be_visible()
    photograph(page, live, "manage-reset-confirm")
    _tab_to(page, "#password")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password_again"
    page.keyboard.type("a different one 123")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("not the same")
    photograph(page, live, "manage-reset-confirm-refused")
    _tab_to(page, "#password")
    page.keyboard.type(NEW_PASSWORD)
    _tab_to(page, "#password_again")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your password is set")).to_be_visible()
    photograph(page, live, "manage-reset-done")

    _tab_to(page, 'a.button[href="/manage/signin"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/manage/signin")
    _tab_to(page, "#tenant")
    page.keyboard.type(SLUG)
    page.keyboard.press("Tab")
    page.keyboard.type(MANAGER)
    page.keyboard.press("Tab")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/manage")

    # A new colleague, invited by email rather than given a password.
    page.goto(f"{live.url}/manage/setup/staff/new")
    expect(page.get_by_text("leave blank to email an invitation")).to_be_visible()
    page.get_by_label("Name").fill("Kojo Coach")
    page.get_by_label("Email").fill(COLLEAGUE)
    page.get_by_label("Role").select_option("coach")
    page.get_by_role("button", name="Create staff member").click()
    expect(page.get_by_role("heading", name="Edit staff member")).to_be_visible()
    assert len(sink.to(COLLEAGUE)) == 1
    page.goto(f"{live.url}/manage/setup/staff")
    row = page.get_by_role("row", name=re.compile("Kojo Coach"))
    expect(row).to_contain_text("Invited")
    row.get_by_role("button", name=re.compile("Send the invitation again")).click()
    expect(page.get_by_role("status")).to_contain_text("The invitation was sent again.")
    photograph(page, live, "manage-setup-staff-invited")
    assert len(sink.to(COLLEAGUE)) == 2
    context.close()
