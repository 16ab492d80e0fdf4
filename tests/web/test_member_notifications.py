"""In a real Chromium, on a phone: a member opens Account, then Notifications, clears a
quiet-hours time by mistake and is told so with nothing saved, turns off missed-class
follow-ups and quiet hours with the keyboard, saves; the nudge job then sends a
lapsed-activity nudge, which the page lists with why. Photographed at both sizes."""

from __future__ import annotations

import uuid
from datetime import timedelta

from playwright.sync_api import Browser, expect

from server.engagement.models import MovementEvent
from server.engagement.projection import streaks_at_risk
from server.nudges import service as nudges
from shared.clock import utcnow
from shared.ids import new_id
from tests.web.conftest import SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "nudges-browser-gym"
MEMBER, MEMBER_PASSWORD = f"ama@{SLUG}.example", "member web password"


def test_a_member_sets_notifications_and_reads_why_a_nudge_came(
    live: Live, browser: Browser
) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Nudge Gym",
        currency="GHS",
        owner=(f"owner@{SLUG}.example", "correct horse battery"),
        location=("Osu Studio", "Africa/Accra"),
        member=(MEMBER, MEMBER_PASSWORD),
    )
    width, height = SIZES["phone"]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live.url}/app/{SLUG}/signin")
    page.get_by_label("Email").fill(MEMBER)
    page.get_by_label("Password").fill(MEMBER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/pass")
    page.get_by_role("link", name="Account").click()
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.get_by_text("Nothing yet.")).to_be_visible()
    photograph(page, live, "app-account-notifications-empty")

    # A cleared time is refused with the page again, nothing saved.
    page.get_by_label("From").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("two times of day")
    photograph(page, live, "app-account-notifications-error")

    # With the keyboard: no follow-ups after a missed class, no quiet hours at all.
    page.get_by_label("Missed class follow-up").focus()
    page.keyboard.press("Space")
    page.get_by_label("From").fill("00:00")
    page.get_by_label("Until").fill("00:00")
    page.get_by_label("Until").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("saved")
    expect(page.get_by_label("Missed class follow-up")).not_to_be_checked()
    expect(page.get_by_label("Class reminders")).to_be_checked()

    # Eight days without movement: the job sends a lapsed-activity nudge.
    last = utcnow() - timedelta(days=8)
    with live.container.uow() as uow:
        uow.db.add(
            MovementEvent(
                tenant_id=provider.tenant_id,
                id=new_id(),
                member_id=uuid.UUID(provider.member_id),
                kind="floor_checkin",
                occurred_at=last,
                data={},
                minutes=60,
                intensity="moderate",
                provenance="scanner_verified",
                source="kiosk",
                local_date=last.date(),
                zone="Africa/Accra",
                is_void=False,
            )
        )
        uow.commit()
    assert nudges.run_nudges(live.container.uow, streaks_at_risk=streaks_at_risk) == 1
    page.reload()
    expect(page.locator(".nudge-list strong")).to_have_text("Getting back into it")
    expect(page.get_by_text(f"Because: no movement since {last.day} {last:%b}")).to_be_visible()
    expect(page.get_by_text("Sent", exact=True)).to_be_visible()
    photograph(page, live, "app-account-notifications")
