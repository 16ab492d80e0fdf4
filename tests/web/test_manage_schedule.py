"""In a real Chromium: a manager creates a weekly class on the Schedule page, a member books
it through the API, the manager sees the booking on Today, then opens the class's roster
and checks the member in from the keyboard."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Browser, expect

from shared.clock import utcnow
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import Provider, open_provider, photograph

SLUG = "schedule-browser-gym"
OWNER, PASSWORD = "owner@schedule-browser-gym.example", "correct horse battery"
MEMBER, MEMBER_PASSWORD = "ama@schedule-browser-gym.example", "member web password"
ZONE = "Europe/London"
#: The class starts this far ahead: inside the hour before a class when check-in is open.
STARTS_IN = timedelta(minutes=20)


def _studio(live: Live) -> Provider:
    """A provider with a class type and a member with a monthly membership."""
    provider = open_provider(
        live,
        slug=SLUG,
        name="Schedule Gym",
        currency="GBP",
        owner=(OWNER, PASSWORD),
        location=("Soho Studio", ZONE),
        member=(MEMBER, MEMBER_PASSWORD),
    )
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url, headers=provider.owner) as api:
        kind = api.post(
            "/session-types",
            json={
                "name": "Morning spin",
                "kind": "class",
                "category": "cycling",
                "duration_minutes": 45,
                "default_capacity": 12,
                "intensity": "high",
                "contraindications": [],
            },
        )
        assert kind.status_code == 201, kind.text
        plan = api.post(
            "/plans",
            json={
                "name": "Monthly",
                "kind": "recurring",
                "billing_period": "month",
                "price": "45.00",
                "currency": "GBP",
            },
        )
        assert plan.status_code == 201, plan.text
        sold = api.post(
            f"/members/{provider.member_id}/memberships",
            json={
                "plan_id": plan.json()["id"],
                "starts_on": (date.today() - timedelta(days=1)).isoformat(),
            },
        )
        assert sold.status_code == 201, sold.text
    return provider


def test_a_manager_plans_a_class_sees_it_booked_and_checks_the_member_in(
    live: Live, browser: Browser
) -> None:
    _studio(live)
    start = (utcnow() + STARTS_IN).astimezone(ZoneInfo(ZONE))
    width, height = SIZES["desktop"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(SLUG)
    page.get_by_label("Email").fill(OWNER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/manage")

    page.get_by_role("link", name="Schedule").click()
    expect(page.get_by_role("heading", name="Schedule · Soho Studio")).to_be_visible()
    page.get_by_role("link", name="New series").click()
    expect(page.get_by_role("heading", name="New series")).to_be_visible()
    page.get_by_label("Class", exact=True).select_option(label="Morning spin (45 min)")
    page.get_by_label(start.strftime("%a"), exact=True).check()
    page.get_by_label("Starts at (the location's clock)").fill(start.strftime("%H:%M"))
    page.get_by_label("Places (blank: the class's)").fill("10")
    page.get_by_label("First day").fill(start.date().isoformat())
    page.get_by_label("Last day").fill((start.date() + timedelta(days=27)).isoformat())
    page.get_by_label("Room (optional)").fill("Studio 2")
    photograph(page, live, "manage-schedule-series-form")
    page.get_by_role("button", name="Create the series").click()

    expect(page.get_by_role("heading", name="Schedule · Soho Studio")).to_be_visible()
    today = page.locator('li.sched-day[aria-current="date"]')
    session = today.locator("li.sched-session")
    expect(session).to_have_count(1)
    expect(session.locator('[data-figure="time"]')).to_have_text(
        f"{start.strftime('%H:%M')}–{(start + timedelta(minutes=45)).strftime('%H:%M')}"
    )
    expect(session.locator('[data-figure="booked"]')).to_have_text("0/10")
    session_id = session.get_attribute("data-session")
    assert session_id
    photograph(page, live, "manage-schedule-week")

    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        login = api.post(
            "/members/login", json={"tenant": SLUG, "email": MEMBER, "password": MEMBER_PASSWORD}
        )
        assert login.status_code == 200, login.text
        bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
        booked = api.post("/me/bookings", json={"session_id": session_id}, headers=bearer)
        assert booked.status_code == 201, booked.text
        assert booked.json()["status"] == "confirmed"

    page.get_by_role("link", name="Today").click()
    page.wait_for_url(f"{live.url}/manage")
    row = page.locator(f'tr[data-session="{session_id}"]')
    expect(row.locator('[data-figure="booked"]')).to_have_text("1/10")
    expect(row.locator('[data-figure="checked_in"]')).to_have_text("0")

    page.get_by_role("link", name="Schedule").click()
    page.locator(f'li[data-session="{session_id}"] a').click()
    expect(page.get_by_role("heading", name="Roster")).to_be_visible()
    member_row = page.locator("tr", has_text="Ama Mensah")
    expect(member_row).to_contain_text("Confirmed")
    photograph(page, live, "manage-schedule-roster")
    # From the keyboard: the check-in button takes focus and Enter sends its form.
    check_in = page.get_by_role("button", name="Check in Ama Mensah")
    check_in.focus()
    page.keyboard.press("Enter")
    expect(page.locator("tr", has_text="Ama Mensah")).to_contain_text("On time")
    expect(page.get_by_role("button", name="Check in Ama Mensah")).to_have_count(0)
    photograph(page, live, "manage-schedule-roster-checked-in")

    page.get_by_role("link", name="Today").click()
    expect(
        page.locator(f'tr[data-session="{session_id}"] [data-figure="checked_in"]')
    ).to_have_text("1")
    context.close()


def test_a_manager_adds_a_single_session_and_cancels_it(live: Live, browser: Browser) -> None:
    """The one-off form, its refusal of a day gone by, and a cancelled session shown struck
    through in the week."""
    _studio(live)
    day = date.today() + timedelta(days=2)
    width, height = SIZES["desktop"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(SLUG)
    page.get_by_label("Email").fill(OWNER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/manage")
    page.goto(f"{live.url}/manage/schedule")
    page.get_by_role("link", name="Single session").click()
    page.get_by_label("Class", exact=True).select_option(label="Morning spin (45 min)")
    page.get_by_label("Day").fill((date.today() - timedelta(days=3)).isoformat())
    page.get_by_label("Starts at (the location's clock)").fill("18:30")
    page.get_by_role("button", name="Add the session").click()
    expect(page.get_by_role("alert")).to_contain_text("is in the past")
    photograph(page, live, "manage-schedule-session-form-refused")
    page.get_by_label("Day").fill(day.isoformat())
    page.get_by_role("button", name="Add the session").click()
    expect(page.get_by_role("heading", name="Roster")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("18:30–19:15")
    page.get_by_label("Reason, told to the members").fill("Instructor unwell")
    page.get_by_role("button", name="Cancel the session").click()
    expect(page.get_by_role("status")).to_have_text("Cancelled: Instructor unwell")
    page.get_by_role("link", name="Schedule · Soho Studio").click()
    cancelled = page.locator("li.sched-session.sched-cancelled")
    expect(cancelled).to_have_count(1)
    expect(cancelled).to_contain_text("Cancelled")
    decoration = cancelled.locator(".sched-time").evaluate(
        "(el) => getComputedStyle(el).textDecorationLine"
    )
    assert decoration == "line-through"
    photograph(page, live, "manage-schedule-week-cancelled")
    context.close()
