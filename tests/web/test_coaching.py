"""In a real Chromium: a coach opens Coaching, finds the slipping member at the top, opens
them, logs a call with the keyboard and reads it on the timeline; a manager's view of the
same member shows the lead-coach control. Photographs of the list and the member page."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Browser, expect

from server.engagement.models import MemberEngagement
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "coaching-browser-gym"
OWNER, PASSWORD = "owner@coaching-browser-gym.example", "correct horse battery"
COACH = "kofi@coaching-browser-gym.example"
MEMBER = ("ama@coaching-browser-gym.example", "member web password")


def _member(api: httpx.Client, headers: dict[str, str], first: str, last: str) -> str:
    made = api.post(
        "/members",
        json={"first_name": first, "last_name": last, "email": f"{first.lower()}@example.com"},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    member_id: str = made.json()["id"]
    return member_id


def test_a_coach_logs_a_call_to_a_slipping_member(live: Live, browser: Browser) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Coaching Gym",
        currency="GBP",
        owner=(OWNER, PASSWORD),
        location=("Osu Studio", "Africa/Accra"),
        member=MEMBER,
    )
    today = datetime.now(ZoneInfo("Africa/Accra")).date()
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        coach = api.post(
            "/staff",
            json={"name": "Kofi Boateng", "email": COACH, "role": "coach", "password": PASSWORD},
            headers=provider.owner,
        )
        assert coach.status_code == 201, coach.text
        steady = _member(api, provider.owner, "Abena", "Adjei")
        slipping = _member(api, provider.owner, "Yaw", "Owusu")
        for member_id in (steady, slipping, provider.member_id):
            put = api.put(
                f"/coaching/members/{member_id}/coach",
                json={"coach_id": coach.json()["id"]},
                headers=provider.owner,
            )
            assert put.status_code == 200, put.text
        note = api.post(
            f"/coaching/members/{slipping}/contacts",
            json={"kind": "note", "text": "Knee is better; wants to return to spin."},
            headers=provider.owner,
        )
        assert note.status_code == 201, note.text
    figures = {
        steady: (0.86, today, 5, 2),
        slipping: (0.18, today - timedelta(days=16), 0, 0),
        provider.member_id: (0.64, today - timedelta(days=1), 3, 0),
    }
    with live.container.uow() as uow:
        for member_id, (score, last, weekly, daily) in figures.items():
            uow.db.add(
                MemberEngagement(
                    tenant_id=provider.tenant_id,
                    member_id=uuid.UUID(member_id),
                    state={},
                    score=score,
                    last_active_on=last,
                    weekly_current=weekly,
                    daily_current=daily,
                )
            )
        uow.commit()

    width, height = SIZES["desktop"]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(SLUG)
    page.get_by_label("Email").fill(COACH)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    # The day at the desk is not a coach's: they land on their members.
    page.wait_for_url(f"{live.url}/manage/coaching")
    expect(page.get_by_role("heading", name="My members")).to_be_visible()
    rows = page.locator("table.coach-list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Yaw Owusu")
    expect(rows.first).to_contain_text("Slipping")
    expect(rows.first).to_contain_text("16 days ago")
    photograph(page, live, "coaching-list")

    rows.first.get_by_role("link", name="Yaw Owusu").click()
    expect(page.get_by_role("heading", name="Yaw Owusu")).to_be_visible()
    # With the keyboard: the outcome, the words, then Enter on the button.
    page.get_by_label("Outcome").focus()
    page.keyboard.press("ArrowDown")  # Reached -> Voicemail
    page.keyboard.press("Tab")
    expect(page.get_by_label("What was said")).to_be_focused()
    page.keyboard.type("Left a voicemail about Thursday's spin class.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Log call")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Saved to the timeline.")
    first = page.locator(".coach-timeline li").first
    expect(first).to_contain_text("Call: Voicemail")
    expect(first).to_contain_text("Left a voicemail about Thursday's spin class.")
    expect(first).to_contain_text("Kofi Boateng")
    expect(page.locator(".coach-timeline")).to_contain_text("Knee is better")
    photograph(page, live, "coaching-member")
    page.close()
