"""In a real Chromium: the owner opens the console's Audit section, narrows the log to the
members table with the keyboard, follows a row's history, and meets a filter they typed
wrong; a manager does not see the section."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "audit-gym"
OWNER, OWNER_PASSWORD = "owner@audit-gym.example", "correct horse battery"
MEMBER, MEMBER_PASSWORD = "ama@audit-gym.example", "member web password"
MANAGER, MANAGER_PASSWORD = "manager@audit-gym.example", "manager web password"


def _sign_in(browser: Browser, live: Live, email: str, password: str) -> Page:
    width, height = SIZES["desktop"]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(SLUG)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/manage**")
    return page


def test_the_owner_reads_who_changed_what(live: Live, browser: Browser) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Audit Gym",
        currency="GBP",
        owner=(OWNER, OWNER_PASSWORD),
        location=("Soho Studio", "Europe/London"),
        member=(MEMBER, MEMBER_PASSWORD),
    )
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        changed = api.patch(
            f"/members/{provider.member_id}",
            json={"last_name": "Mensah-Owusu", "phone": "+447700900123"},
            headers=provider.owner,
        )
        assert changed.status_code == 200, changed.text
        made = api.post(
            "/staff",
            json={
                "name": "Mo Manager",
                "email": MANAGER,
                "role": "manager",
                "password": MANAGER_PASSWORD,
            },
            headers=provider.owner,
        )
        assert made.status_code == 201, made.text
    page = _sign_in(browser, live, OWNER, OWNER_PASSWORD)
    page.get_by_role("link", name="Audit").click()
    page.wait_for_url(f"{live.url}/manage/audit")
    expect(page.get_by_text("it covers every location")).to_be_visible()
    # The action filter offers the named actions beside the row changes.
    actions = page.get_by_label("Action").locator("option")
    for named in ("sale", "refund", "check-in-override", "booking-cancel", "invoice-issue"):
        expect(actions.filter(has_text=named.replace("_", " "))).to_have_count(1)
    # Narrowed with the keyboard: the table's name, then Enter submits the form.
    page.get_by_label("Table").focus()
    page.keyboard.type("members")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/manage/audit?**entity=members**")
    table = page.get_by_role("table")
    expect(table).to_contain_text("update")
    expect(table).to_contain_text("Staff (owner)")
    expect(table).to_contain_text("last_name")
    # Names of fields only: never the values written.
    expect(table).not_to_contain_text("Mensah-Owusu")
    expect(table).not_to_contain_text("+447700900123")
    photograph(page, live, "manage-audit")
    page.get_by_role("link", name="show this row's history").first.click()
    page.wait_for_url(f"{live.url}/manage/audit?entity=members&entity_id=*")
    expect(page.get_by_label("Row id")).to_have_value(provider.member_id)
    # A filter typed wrong: the page again, 422, the message next to its field.
    response = page.goto(f"{live.url}/manage/audit?actor=someone&from=2026-05-02&to=2026-05-01")
    assert response is not None and response.status == 422
    expect(page.get_by_text("Give the actor's id")).to_be_visible()
    expect(page.get_by_text("The last day comes before the first.")).to_be_visible()
    photograph(page, live, "manage-audit-bad-filter")

    manager = _sign_in(browser, live, MANAGER, MANAGER_PASSWORD)
    expect(manager.get_by_role("link", name="Audit")).to_have_count(0)
    refused = manager.goto(f"{live.url}/manage/audit")
    assert refused is not None and refused.status == 403
