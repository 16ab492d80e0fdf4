"""In a real Chromium, on a phone: anyone reads a provider's public page and timetable; a
member, with the keyboard only, opens the timetable, filters it by class, books a class,
finds it in My bookings and cancels it, confirming the late-cancellation warning."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Browser, Locator, Page, expect

from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import Provider, open_provider, photograph

SLUG = "timetable-gym"
OWNER, OWNER_PASSWORD = "owner@timetable-gym.example", "correct horse battery"
MEMBER, MEMBER_PASSWORD = "ama@timetable-gym.example", "member web password"
LONDON = ZoneInfo("Europe/London")
HOURS = {d: [{"opens": "06:30", "closes": "21:00"}] for d in ("mon", "tue", "wed", "thu", "fri")}


def _post(api: httpx.Client, path: str, body: dict[str, object], owner: Provider) -> str:
    made = api.post(path, json=body, headers=owner.owner)
    assert made.status_code in (200, 201), made.text
    made_id: str = made.json().get("id", "")
    return made_id


def _studio(live: Live) -> tuple[Provider, datetime]:
    """A London studio with hours, a monthly plan the member holds, a yoga class starting
    within the late-cancel window (with a fee) and HIIT classes tomorrow."""
    provider = open_provider(
        live,
        slug=SLUG,
        name="Timetable Gym",
        currency="GBP",
        owner=(OWNER, OWNER_PASSWORD),
        location=("Soho Studio", "Europe/London"),
        member=(MEMBER, MEMBER_PASSWORD),
    )
    soon = (datetime.now(LONDON) + timedelta(minutes=90)).replace(second=0, microsecond=0)
    tomorrow = (datetime.now(LONDON) + timedelta(days=1)).date()
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        changed = api.patch(
            f"/locations/{provider.location_id}",
            json={"address": "12 Dean Street, London W1D 3RS", "opening_hours": HOURS},
            headers=provider.owner,
        )
        assert changed.status_code == 200, changed.text
        policy = api.patch(
            "/booking-policy",
            json={"late_cancel_fee": "5.00", "grace_allowance": 0},
            headers=provider.owner,
        )
        assert policy.status_code == 200, policy.text
        plan = _post(
            api,
            "/plans",
            {
                "name": "Monthly",
                "kind": "recurring",
                "billing_period": "month",
                "price": "45.00",
                "currency": "GBP",
            },
            provider,
        )
        yesterday = (datetime.now(LONDON) - timedelta(days=1)).date().isoformat()
        _post(
            api,
            f"/members/{provider.member_id}/memberships",
            {"plan_id": plan, "starts_on": yesterday},
            provider,
        )
        kinds = {}
        for name, category in (("HIIT", "HIIT"), ("Yoga flow", "Yoga")):
            kinds[name] = _post(
                api,
                "/session-types",
                {
                    "name": name,
                    "kind": "class",
                    "category": category,
                    "duration_minutes": 45,
                    "default_capacity": 12,
                    "intensity": "moderate",
                },
                provider,
            )
        sessions = [
            ("Yoga flow", soon.date(), soon.time()),
            ("HIIT", tomorrow, datetime.min.replace(hour=7).time()),
            ("HIIT", tomorrow, datetime.min.replace(hour=18, minute=15).time()),
        ]
        for name, day, start in sessions:
            _post(
                api,
                "/sessions",
                {
                    "location_id": provider.location_id,
                    "session_type_id": kinds[name],
                    "local_date": day.isoformat(),
                    "local_start": start.strftime("%H:%M"),
                },
                provider,
            )
    return provider, soon


def _tab_to(page: Page, target: Locator, presses: int = 40) -> None:
    """Moves the keyboard focus to ``target`` with Tab, as a person without a mouse does."""
    for _ in range(presses):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def test_a_member_books_and_cancels_late_with_the_keyboard(live: Live, browser: Browser) -> None:
    _, soon = _studio(live)
    width, height = SIZES["phone"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    # Anyone: the provider's page and its timetable, with no sign-in.
    page.goto(f"{live.url}/app/signin")
    page.get_by_label("Short name").fill(SLUG)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/{SLUG}")
    expect(page.get_by_role("heading", name="Timetable Gym")).to_be_visible()
    expect(page.get_by_text("12 Dean Street")).to_be_visible()
    photograph(page, live, "app-public-provider")
    page.get_by_role("link", name="Soho Studio").click()
    expect(page.get_by_role("heading", name="Opening hours")).to_be_visible()
    photograph(page, live, "app-public-location")
    page.get_by_role("link", name="Full timetable").click()
    expect(page.locator(".session-card")).to_have_count(3)
    photograph(page, live, "app-public-timetable")
    # The member signs in and works with the keyboard only.
    page.goto(f"{live.url}/app/{SLUG}/signin")
    page.get_by_label("Email").fill(MEMBER)
    page.keyboard.press("Tab")
    page.keyboard.type(MEMBER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/pass")
    _tab_to(page, page.get_by_role("link", name="Timetable"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/timetable")
    expect(page.locator(".session-card")).to_have_count(3)
    _tab_to(page, page.get_by_label("Class"))
    page.keyboard.type("Yoga")
    # The list follows the filter at once (htmx), the focus stays on the field.
    expect(page.locator(".session-card")).to_have_count(1)
    expect(page.get_by_label("Class")).to_be_focused()
    yoga = page.locator(".session-card")
    expect(yoga.get_by_role("heading", name="Yoga flow")).to_be_visible()
    expect(yoga).to_contain_text(soon.strftime("%H:%M"))
    photograph(page, live, "app-timetable-filtered")
    _tab_to(page, yoga.get_by_role("button", name="Book"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("You are booked in.")
    expect(page.locator(".session-card")).to_have_count(1)
    expect(page.locator(".session-card [data-mine]")).to_have_text("Booked")
    photograph(page, live, "app-timetable-booked")
    _tab_to(page, page.get_by_role("link", name="Bookings"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/bookings")
    upcoming = page.locator('[data-group="upcoming"] .session-card')
    expect(upcoming).to_have_count(1)
    expect(upcoming.get_by_role("heading", name="Yoga flow")).to_be_visible()
    photograph(page, live, "app-bookings")
    _tab_to(page, upcoming.get_by_role("button", name="Cancel"))
    page.keyboard.press("Enter")
    # Inside the late-cancel window: the warning, with the fee, before anything happens.
    expect(page.get_by_role("heading", name="Cancel this late?")).to_be_visible()
    expect(page.locator("#late-warning")).to_contain_text("late-cancellation fee of £5.00")
    photograph(page, live, "app-late-cancel-warning")
    _tab_to(page, page.get_by_role("button", name="Yes, cancel late"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/bookings?done=cancelled")
    expect(page.get_by_role("status")).to_have_text("Your booking is cancelled.")
    expect(page.locator('[data-group="upcoming"] .session-card')).to_have_count(0)
    photograph(page, live, "app-bookings-cancelled")
    context.close()
