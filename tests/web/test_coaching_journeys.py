"""In a real Chromium: a coach pauses a member's journey with a reason, with the keyboard,
then adjusts next week's minutes, and reads both under the journey and on the timeline.
Photographs of the member page with the journey paused and adjusted."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Browser, expect

from server.journeys.models import JourneyEnrolment
from tests.integration.journey_rows import add_journey
from tests.integration.journeys_helpers import enrol
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "coach-journeys-gym"
OWNER, PASSWORD = "owner@coach-journeys-gym.example", "correct horse battery"
COACH = "kofi@coach-journeys-gym.example"
MEMBER = ("ama@coach-journeys-gym.example", "member web password")


def test_a_coach_pauses_a_journey_then_adjusts_next_week(live: Live, browser: Browser) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Coaching Gym",
        currency="GBP",
        owner=(OWNER, PASSWORD),
        location=("Osu Studio", "Africa/Accra"),
        member=MEMBER,
    )
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        coach = api.post(
            "/staff",
            json={"name": "Kofi Boateng", "email": COACH, "role": "coach", "password": PASSWORD},
            headers=provider.owner,
        )
        assert coach.status_code == 201, coach.text
        coach_id = coach.json()["id"]
        put = api.put(
            f"/coaching/members/{provider.member_id}/coach",
            json={"coach_id": coach_id},
            headers=provider.owner,
        )
        assert put.status_code == 200, put.text
    # The four-week journey, begun last Monday a week ago: this is week 2, next is week 3.
    today = datetime.now(ZoneInfo("Africa/Accra")).date()
    journey = add_journey(live.container, str(provider.tenant_id), "Strong Knees")
    enrolment = enrol(
        live.container,
        str(provider.tenant_id),
        journey,
        provider.member_id,
        starts_on=today - timedelta(days=today.weekday() + 7),
        coach_id=coach_id,
    )

    width, height = SIZES["desktop"]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(SLUG)
    page.get_by_label("Email").fill(COACH)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/manage/coaching")  # a coach lands on their members
    page.goto(f"{live.url}/manage/coaching/members/{provider.member_id}")
    card = page.locator(f'[data-enrolment="{enrolment}"]')
    expect(card).to_contain_text("Week 2 of 4")
    expect(card.locator("[data-status]")).to_have_text("Active")

    # With the keyboard: the reason, then Tab to Pause and Enter.
    card.get_by_label("Reason").first.focus()
    page.keyboard.type("Knee flare-up after Saturday's run")
    page.keyboard.press("Tab")
    expect(card.get_by_role("button", name="Pause")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Journey status changed.")
    card = page.locator(f'[data-enrolment="{enrolment}"]')
    expect(card.locator("[data-status]")).to_have_text("Paused")
    expect(card.get_by_role("button", name="Resume")).to_be_visible()

    card.get_by_text("Adjust", exact=True).click()
    card.get_by_label("Week", exact=True).select_option("3")
    card.get_by_label("Minutes").fill("80")
    card.locator("form[action$='/adjust']").get_by_label("Reason").fill(
        "Ease back in after the knee"
    )
    card.get_by_role("button", name="Save adjustment").click()
    expect(page.get_by_role("status")).to_have_text("Adjustment saved.")
    card = page.locator(f'[data-enrolment="{enrolment}"]')
    card.get_by_text("History (2)").click()
    history = card.locator(".cj-history li")
    expect(history.first).to_contain_text("Adjusted: week 3: minutes 80")
    expect(history.first).to_contain_text("Ease back in after the knee")
    expect(history.first).to_contain_text("Kofi Boateng")
    expect(history.nth(1)).to_contain_text("Knee flare-up after Saturday's run")
    timeline = page.locator(".coach-timeline")
    expect(timeline).to_contain_text("Strong Knees: paused")
    expect(timeline).to_contain_text("Strong Knees: adjusted")
    with live.container.uow() as uow:
        row = uow.db.get(JourneyEnrolment, (provider.tenant_id, uuid.UUID(enrolment)))
        assert row is not None and row.status == "paused"
        assert row.adjustments["targets"] == {"3": {"minutes": 80}}
    page.locator(f'[data-enrolment="{enrolment}"] .cj-adjust summary').click()  # open again
    page.get_by_text("Enrol in a journey", exact=True).click()
    photograph(page, live, "coaching-member-journey")
    page.close()
