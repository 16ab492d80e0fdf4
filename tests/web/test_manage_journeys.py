"""In a real Chromium: a manager opens a shipped journey that a member is on, is told
before saving that the edit makes version 2, changes week 3 with the keyboard, and sees
version 2 current while the member stays on version 1."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, expect

from tests.integration.journeys_helpers import enrol
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "journey-gym"
OWNER, OWNER_PASSWORD = f"owner@{SLUG}.example", "correct horse battery"
MANAGER, MANAGER_PASSWORD = f"manager@{SLUG}.example", "manager web password"
MEMBER, MEMBER_PASSWORD = f"ama@{SLUG}.example", "member web password"


def test_a_manager_edits_week_3_of_a_journey_with_an_enrolment(
    live: Live, browser: Browser
) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Journey Gym",
        currency="GBP",
        owner=(OWNER, OWNER_PASSWORD),
        location=("Canal Street", "Europe/London"),
        member=(MEMBER, MEMBER_PASSWORD),
    )
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
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
        listed = api.get("/journeys/templates", headers=provider.owner).json()["items"]
    back = next(t for t in listed if t["starter_key"] == "back_core_rescue")
    enrol(live.container, str(provider.tenant_id), back["id"], provider.member_id)

    width, height = SIZES["desktop"]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(SLUG)
    page.get_by_label("Email").fill(MANAGER)
    page.get_by_label("Password").fill(MANAGER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/manage")
    page.get_by_role("link", name="Set-up").click()
    page.get_by_role("link", name="Journeys").click()
    expect(page.locator(".journeys-list tbody tr")).to_have_count(3)
    photograph(page, live, "manage-journeys")

    page.get_by_role("link", name="6-week Back & Core Rescue").click()
    expect(page.get_by_role("heading", name="6-week Back & Core Rescue")).to_be_visible()
    expect(page.locator(".journey-versions tbody tr")).to_have_count(1)
    expect(page.locator(".journey-versions tbody tr").first).to_contain_text("1")
    page.get_by_role("link", name="Edit the weeks").click()
    expect(page.locator(".journey-version-notice")).to_have_text(
        "Saving makes version 2: 1 member stays on version 1."
    )
    photograph(page, live, "manage-journey-weeks")

    # Week 3 from 75 to 80 minutes, with the keyboard: Enter saves.
    week3 = page.get_by_label("Week 3 minutes")
    expect(week3).to_have_value("75")
    week3.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("80")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Saved. This is version 2.")
    rows = page.locator(".journey-weeks tbody tr")
    expect(rows.nth(2)).to_contain_text("80")
    versions = page.locator(".journey-versions tbody tr")
    expect(versions).to_have_count(2)
    # Newest first: version 2 is current with no one on it yet; version 1 keeps its member.
    expect(versions.nth(0)).to_contain_text("Current")
    expect(versions.nth(0).locator("td.num")).to_have_text("0")
    expect(versions.nth(1).locator("td.num")).to_have_text("1")
    photograph(page, live, "manage-journey-version-2")
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        v1 = api.get(f"/journeys/templates/{back['id']}/versions/1", headers=provider.owner).json()
    assert v1["plan"]["weeks"][2]["minutes"] == 75 and v1["enrolments"] == 1
