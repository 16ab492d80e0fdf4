"""In a real Chromium: a member answers the health questionnaire with a yes that needs a
check (its follow-ups appear only on yes), is refused a HIIT class, a manager records the
clearance on the member's Health page in the console, and the member books the class."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Browser, expect

from server.screening.gate import BLOCKED
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import Provider, open_provider, photograph

SLUG = "health-gym"
OWNER, OWNER_PASSWORD = "owner@health-gym.example", "correct horse battery"
MEMBER, MEMBER_PASSWORD = "ama@health-gym.example", "member web password"
LONDON = ZoneInfo("Europe/London")


def _post(api: httpx.Client, path: str, body: dict[str, object], provider: Provider) -> str:
    made = api.post(path, json=body, headers=provider.owner)
    assert made.status_code in (200, 201), made.text
    made_id: str = made.json().get("id", "")
    return made_id


def _studio(live: Live) -> Provider:
    """A London studio whose member holds a monthly plan, with a HIIT class tomorrow."""
    provider = open_provider(
        live,
        slug=SLUG,
        name="Health Gym",
        currency="GBP",
        owner=(OWNER, OWNER_PASSWORD),
        location=("Soho Studio", "Europe/London"),
        member=(MEMBER, MEMBER_PASSWORD),
    )
    tomorrow = (datetime.now(LONDON) + timedelta(days=1)).date()
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
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
        hiit = _post(
            api,
            "/session-types",
            {
                "name": "HIIT",
                "kind": "class",
                "category": "HIIT",
                "duration_minutes": 45,
                "default_capacity": 12,
                "intensity": "high",
            },
            provider,
        )
        _post(
            api,
            "/sessions",
            {
                "location_id": provider.location_id,
                "session_type_id": hiit,
                "local_date": tomorrow.isoformat(),
                "local_start": "18:15",
            },
            provider,
        )
    return provider


def test_a_member_awaiting_clearance_is_refused_hiit_until_staff_clear_them(
    live: Live, browser: Browser
) -> None:
    provider = _studio(live)
    width, height = SIZES["phone"]
    member = browser.new_context(viewport={"width": width, "height": height})
    page = member.new_page()
    page.goto(f"{live.url}/app/{SLUG}/signin")
    page.get_by_label("Email").fill(MEMBER)
    page.get_by_label("Password").fill(MEMBER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/pass")
    page.goto(f"{live.url}/app/account")
    page.get_by_role("link", name="Health questionnaire").click()
    page.wait_for_url(f"{live.url}/app/account/health")
    chest = page.locator('[data-question="chest_pain"]')
    follow = chest.locator("[data-follows]")
    # With the script, a follow-up shows only once its question is answered yes.
    expect(follow).to_be_hidden()
    for question in page.locator("[data-question]").all():
        question.get_by_role("radio", name="No").first.check()
    chest.get_by_role("radio", name="Yes").first.check()
    expect(follow).to_be_visible()
    follow.get_by_role("radio", name="No").check()
    photograph(page, live, "app-health-questionnaire")
    page.get_by_role("button", name="Save my answers").click()
    page.wait_for_url(f"{live.url}/app/account/health?saved=1")
    expect(page.get_by_role("heading", name="Needs a staff clearance")).to_be_visible()
    photograph(page, live, "app-health-needs-clearance")
    # Refused the HIIT class, with the reason.
    page.goto(f"{live.url}/app/timetable")
    card = page.locator(".session-card").filter(has_text="HIIT")
    card.get_by_role("button", name="Book").click()
    expect(page.locator("#message")).to_have_text(BLOCKED)
    photograph(page, live, "app-timetable-clearance-needed")

    # A manager records the clearance in the console.
    desk = browser.new_context(
        viewport={"width": SIZES["desktop"][0], "height": SIZES["desktop"][1]}
    )
    console = desk.new_page()
    console.goto(f"{live.url}/manage/signin")
    console.get_by_label("Gym or studio (short name)").fill(SLUG)
    console.get_by_label("Email").fill(OWNER)
    console.get_by_label("Password").fill(OWNER_PASSWORD)
    console.get_by_role("button", name="Sign in").click()
    console.wait_for_url(f"{live.url}/manage")
    console.goto(f"{live.url}/manage/members/{provider.member_id}")
    console.get_by_role("link", name="Health: questionnaire, clearance and risk flags").click()
    expect(console.get_by_text("Awaiting clearance")).to_be_visible()
    expect(console.get_by_text("not resolved by the follow-ups")).to_be_visible()
    photograph(console, live, "manage-member-health-awaiting")
    console.get_by_label("Evidence").fill("GP letter 3 Dec")
    console.get_by_role("button", name="Record clearance").click()
    expect(console.get_by_role("status")).to_have_text("The clearance is saved.")
    console.get_by_label("Add a flag").select_option(label="Low back pain")
    console.get_by_label("Note").fill("Physio until January")
    console.get_by_role("button", name="Add flag").click()
    expect(console.get_by_role("status")).to_have_text("The risk flags are saved.")
    expect(console.get_by_role("button", name="End Low back pain")).to_be_visible()
    photograph(console, live, "manage-member-health-cleared")
    desk.close()

    # The member books the class.
    page.goto(f"{live.url}/app/timetable")
    card = page.locator(".session-card").filter(has_text="HIIT")
    card.get_by_role("button", name="Book").click()
    expect(page.get_by_role("status")).to_have_text("You are booked in.")
    member.close()
