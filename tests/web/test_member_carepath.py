"""In a real Chromium on a phone: a member opens Journey (a tab of Progress) with the
keyboard, enrols on a journey from today, does a Movement Tile and sees this week's
progress move, then records a check-in (refused out of range, then saved)."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, expect

from shared.carepath.plans import (
    ActivityKind,
    Assessment,
    HabitPoint,
    JourneyPlan,
    PermittedActivity,
    WeekTarget,
)
from tests.integration.journey_rows import add_journey
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph
from tests.web.test_progress import _tab_to

SLUG = "calm-studio"
OWNER, OWNER_PASSWORD = f"owner@{SLUG}.example", "correct horse battery"
MEMBER, MEMBER_PASSWORD = f"ama@{SLUG}.example", "member web password"
CALM = JourneyPlan(
    weeks=tuple(WeekTarget(n, minutes=60, tiles=3) for n in range(1, 5)),
    permitted=(PermittedActivity(ActivityKind.TILE), PermittedActivity(ActivityKind.OUTDOOR)),
    assessments=(
        Assessment(
            key="wellbeing_who5",
            label="Wellbeing (WHO-5)",
            unit="points",
            low=0,
            high=25,
            weeks=(0, 4),
        ),
    ),
    habit_point=HabitPoint(sessions=4, weeks=2),
)


def test_a_member_enrols_does_a_tile_and_sees_the_week_move(live: Live, browser: Browser) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Calm Studio",
        currency="GBP",
        owner=(OWNER, OWNER_PASSWORD),
        location=("Soho Studio", "Europe/London"),
        member=(MEMBER, MEMBER_PASSWORD),
    )
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        home = {"home_location_id": provider.location_id}
        changed = api.patch(f"/members/{provider.member_id}", json=home, headers=provider.owner)
        assert changed.status_code == 200, changed.text
        tile = api.post(
            "/tiles",
            json={
                "title": "Box breathing",
                "summary": "Four counts in, hold, out, hold.",
                "steps": ["Breathe in for four.", "Hold for four.", "Out for four."],
                "minutes": 10,
                "intensity": "moderate",
            },
            headers=provider.owner,
        )
        assert tile.status_code == 201, tile.text
    add_journey(live.container, str(provider.tenant_id), "4-week Calm Start", CALM)
    add_journey(live.container, str(provider.tenant_id), "6-week Core Basics")

    width, height = SIZES["phone"]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live.url}/app/{SLUG}/signin")
    page.get_by_label("Email").fill(MEMBER)
    page.keyboard.press("Tab")
    page.keyboard.type(MEMBER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/pass")
    _tab_to(page, page.get_by_role("link", name="Progress", exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/progress")
    _tab_to(page, page.get_by_role("link", name="Journey", exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/journeys")
    calm = page.locator(".journey-card", has_text="Calm Start")
    expect(calm).to_contain_text("4 weeks · counts Movement Tiles, outdoor activity")
    photograph(page, live, "app-journeys-offers")

    # Enrol from today, with the keyboard: the radio group, then the button.
    _tab_to(page, calm.get_by_label("Monday", exact=False))
    page.keyboard.press("ArrowDown")
    expect(calm.get_by_label("Today")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/journeys")
    journey = page.locator("section.journey")
    expect(journey).to_contain_text("Week 1 of 4")
    tiles = journey.locator('[data-target="Movement Tiles"]')
    expect(tiles).to_have_text("0 of 3")
    expect(journey.locator('[data-target="Active minutes"]')).to_have_text("0 of 60")
    expect(page.locator(".journey-card", has_text="Calm Start")).to_have_count(0)
    photograph(page, live, "app-journey-week")

    # A Tile, done from its page.
    page.goto(f"{live.url}/app/tiles/{tile.json()['id']}")
    page.get_by_role("button", name="Done").click()
    page.goto(f"{live.url}/app/journeys")
    expect(tiles).to_have_text("1 of 3")
    expect(journey.locator('[data-target="Active minutes"]')).to_have_text("10 of 60")

    # The week-0 check-in: out of range is the page again with why; then saved.
    field = journey.get_by_label("Your result", exact=False).first
    _tab_to(page, field)
    page.keyboard.type("40")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("between 0 and 25")
    photograph(page, live, "app-journey-checkin-refused")
    field = page.locator("section.journey").get_by_label("Your result", exact=False).first
    _tab_to(page, field)
    page.keyboard.type("18")
    page.keyboard.press("Enter")
    expect(page.locator(".journey-assessments")).to_contain_text(
        "Wellbeing (WHO-5) before you start: 18 points"
    )
    photograph(page, live, "app-journey-checked-in")
