"""In a real Chromium: an owner sets up a new location (its time zone and US formats), a
plan, a session type (with the keyboard only) and a staff member, then enrols a kiosk and
sees its code; every set-up page photographed at both sizes."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "setup-browser-gym"
OWNER, PASSWORD = "owner@setup-browser-gym.example", "correct horse battery"
MEMBER = ("ama@setup-browser-gym.example", "member web password")


def _tab_to(page: Page, element_id: str, most: int = 60) -> None:
    """Tab through the page until the element has the focus, as a keyboard user does."""
    for _ in range(most):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} was never reached with Tab")


def _api_get(live: Live, headers: dict[str, str], path: str) -> object:
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        got = api.get(path, headers=headers)
        assert got.status_code == 200, got.text
        return got.json()


def test_an_owner_sets_up_a_location_plan_class_staff_and_kiosk(
    live: Live, browser: Browser
) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Setup Gym",
        currency="USD",
        owner=(OWNER, PASSWORD),
        location=("Harbour", "America/New_York"),
        member=MEMBER,
    )
    width, height = SIZES["desktop"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(SLUG)
    page.get_by_label("Email").fill(OWNER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/manage")

    page.get_by_role("link", name="Set-up").click()
    expect(page.get_by_role("heading", name="Set-up", exact=True)).to_be_visible()
    photograph(page, live, "manage-setup-index")

    # A location: a wrong time zone first, shown next to its field; then the right one.
    page.get_by_role("link", name="Locations").click()
    page.get_by_role("link", name="New location").click()
    page.get_by_label("Name", exact=True).fill("Brooklyn")
    page.get_by_label("Time zone").fill("America/Brooklyn")
    page.get_by_label("Language and formats").select_option("en_US")
    page.get_by_label("Monday").fill("6:00-22:00")
    page.get_by_label("Saturday").fill("08:00-12:00, 14:00-18:00")
    page.get_by_role("button", name="Create location").click()
    error = page.locator("#f-timezone-error")
    expect(error).to_contain_text("America/Brooklyn")
    expect(page.get_by_label("Time zone")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Monday")).to_have_value("6:00-22:00")
    photograph(page, live, "manage-setup-location-error")
    page.get_by_label("Time zone").fill("America/New_York")
    page.get_by_role("button", name="Create location").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    location_id = re.search(r"/locations/([0-9a-f-]{36})", page.url)
    assert location_id, page.url
    read = _api_get(live, provider.owner, f"/locations/{location_id.group(1)}")
    assert isinstance(read, dict)
    assert (read["timezone"], read["locale"]) == ("America/New_York", "en_US")
    assert read["opening_hours"]["sat"] == [
        {"opens": "08:00", "closes": "12:00"},
        {"opens": "14:00", "closes": "18:00"},
    ]
    page.locator("#closure-f-name").fill("Christmas")
    page.locator("#closure-f-starts_on").fill("2030-12-25")
    page.get_by_role("button", name="Add closure").click()
    closure = page.locator("tr[data-closure]")
    # The location's own formats: a US date.
    expect(closure).to_contain_text("Wed, Dec 25, 2030")
    photograph(page, live, "manage-setup-location-edit")
    page.get_by_role("link", name="Locations").click()
    expect(page.locator("table")).to_contain_text("Brooklyn")
    photograph(page, live, "manage-setup-locations")

    # A plan.
    page.get_by_role("link", name="Set-up").first.click()
    page.get_by_role("link", name="Plans").click()
    page.get_by_role("link", name="New plan").click()
    page.get_by_label("Name", exact=True).fill("Off-peak monthly")
    page.get_by_label("Kind").select_option("recurring")
    page.get_by_label("Price").fill("39.00")
    page.get_by_label("Billing period").select_option("month")
    page.get_by_label("Off-peak windows").fill("mon tue wed thu fri 10:00-16:00")
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    page.get_by_role("link", name="Plans").click()
    expect(page.locator("table")).to_contain_text("$39.00")
    photograph(page, live, "manage-setup-plans")

    # A session type, with the keyboard only.
    page.get_by_role("link", name="Set-up").first.click()
    page.get_by_role("link", name="Session types").click()
    page.get_by_role("link", name="New session type").click()
    _tab_to(page, "f-name")
    keys = page.keyboard
    keys.type("Morning HIIT")
    keys.press("Tab")  # kind: Class
    keys.press("Tab")
    keys.type("HIIT")
    keys.press("Tab")  # description
    keys.press("Tab")
    keys.press("Control+A")
    keys.type("45")
    keys.press("Tab")
    keys.type("20")
    keys.press("Tab")  # needs approval: no
    keys.press("Tab")  # prescription profile: none, the values below
    keys.press("Tab")
    keys.press("ArrowDown")  # moderate → high
    keys.press("Tab")
    keys.type("endurance")
    keys.press("Tab")
    keys.type("pregnancy")
    keys.press("Tab")
    keys.type("3")
    keys.press("Tab")  # in use: yes
    keys.press("Tab")
    keys.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Saved.")
    types = _api_get(live, provider.owner, "/session-types")
    assert isinstance(types, dict)
    made = types["items"]
    assert [
        (t["name"], t["intensity"], t["duration_minutes"], t["contraindications"]) for t in made
    ] == [("Morning HIIT", "high", 45, ["pregnancy"])]
    expect(page.get_by_role("heading", name="Instructors")).to_be_visible()
    photograph(page, live, "manage-setup-session-type-edit")
    page.get_by_role("link", name="Session types").click()
    photograph(page, live, "manage-setup-session-types")

    # A staff member.
    page.get_by_role("link", name="Set-up").first.click()
    page.get_by_role("link", name="Staff").click()
    page.get_by_role("link", name="New staff member").click()
    page.get_by_label("Name", exact=True).fill("Kofi Coach")
    page.get_by_label("Email").fill("kofi@setup-browser-gym.example")
    page.get_by_label("Role").select_option("coach")
    page.get_by_label("First password").fill("a long first password")
    page.get_by_label("Kiosk PIN").fill("2468")
    page.get_by_label("Brooklyn").check()
    page.get_by_role("button", name="Create staff member").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    page.get_by_role("link", name="Staff").click()
    expect(page.locator("table")).to_contain_text("Kofi Coach")
    photograph(page, live, "manage-setup-staff")

    page.goto(f"{live.url}/manage/setup/policy")
    photograph(page, live, "manage-setup-policy")
    page.goto(f"{live.url}/manage/setup/profile")
    photograph(page, live, "manage-setup-profile")

    # A kiosk's enrolment code, shown once and large.
    page.goto(f"{live.url}/manage/setup/kiosks")
    page.get_by_label("Location").select_option(label="Brooklyn")
    page.get_by_role("button", name="Create enrolment code").click()
    code = page.locator("[data-code]")
    expect(code).to_be_visible()
    expect(page.locator(".enrol-code")).to_contain_text("Enrolment code for Brooklyn")
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        enrolled = api.post("/devices/enrol", json={"code": code.inner_text(), "name": "Door"})
        assert enrolled.status_code == 201, enrolled.text
    photograph(page, live, "manage-setup-kiosk-code")
    page.goto(f"{live.url}/manage/setup/kiosks")
    expect(page.locator("[data-code]")).to_have_count(0)
    expect(page.locator("tr[data-device]")).to_contain_text("Door")
    photograph(page, live, "manage-setup-kiosks")
    context.close()
