"""In a real Chromium: a member with weeks of movement in the ledger (entered through the
API, then projected) opens Progress with the keyboard and sees the same streaks and score
as the API, sets a weekly goal with the keyboard, then joins a team challenge and finds
their own line on its board."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
from playwright.sync_api import Browser, Locator, Page, expect

from server.engagement.projection import project_pending
from shared.clock import utcnow
from tests.integration.bookings_helpers import member_headers
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "pulse-gym"
OWNER, OWNER_PASSWORD = f"owner@{SLUG}.example", "correct horse battery"
MEMBER, MEMBER_PASSWORD = f"ama@{SLUG}.example", "member web password"


def _tab_to(page: Page, target: Locator, presses: int = 80) -> None:
    for _ in range(presses):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def _moved(
    api: httpx.Client, owner: dict[str, str], member_id: str, days_back: int, **e: Any
) -> None:
    on = utcnow().date() - timedelta(days=days_back)
    hour = e.pop("hour", 10)
    body = {
        "member_id": member_id,
        "kind": "staff_entry",
        "minutes": 45,
        "intensity": "moderate",
        "occurred_at": datetime.combine(on, time(hour), tzinfo=UTC).isoformat(),
        **e,
    }
    answer = api.post("/movement-events", json=body, headers=owner)
    assert answer.status_code == 201, answer.text


def test_a_member_reads_progress_sets_a_goal_and_joins_a_challenge(
    live: Live, browser: Browser
) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Pulse Gym",
        currency="GBP",
        owner=(OWNER, OWNER_PASSWORD),
        location=("Soho Studio", "Europe/London"),
        member=(MEMBER, MEMBER_PASSWORD),
    )
    owner = provider.owner
    today = utcnow().date()
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        home = {"home_location_id": provider.location_id}
        changed = api.patch(f"/members/{provider.member_id}", json=home, headers=owner)
        assert changed.status_code == 200, changed.text
        # Ten weeks, oldest first as the door records them: early strength sessions every
        # third day and a weekly evening run.
        for days_back in range(69, 0, -1):
            if days_back % 3 == 1:
                _moved(api, owner, provider.member_id, days_back, hour=7, intensity="vigorous")
            if days_back % 7 == 2 and days_back < 60:
                _moved(
                    api, owner, provider.member_id, days_back, kind="outdoor", minutes=50, hour=18
                )
        others = []
        for first in ("Kofi", "Efua"):
            made = api.post(
                "/members",
                json={"first_name": first, "last_name": "Boateng", **home},
                headers=owner,
            )
            assert made.status_code == 201, made.text
            others.append(made.json()["id"])
            for days_back in range(13, 0, -2):
                _moved(api, owner, made.json()["id"], days_back, minutes=30 + 20 * len(others))
        challenge = api.post(
            "/challenges",
            json={
                "name": "Winter minutes",
                "description": "Active minutes through the dark weeks.",
                "metric": "minutes",
                "team_by": "location",
                "allow_self_reports": True,
                "daily_cap": 120,
                "starts_on": (today - timedelta(days=20)).isoformat(),
                "ends_on": (today + timedelta(days=30)).isoformat(),
            },
            headers=owner,
        )
        assert challenge.status_code == 201, challenge.text
        upcoming = {
            "name": "Spring steps",
            "metric": "sessions",
            "starts_on": (today + timedelta(days=40)).isoformat(),
            "ends_on": (today + timedelta(days=70)).isoformat(),
        }
        assert api.post("/challenges", json=upcoming, headers=owner).status_code == 201
        challenge_id = challenge.json()["id"]
        for other in others:
            headers = member_headers(live.container, str(provider.tenant_id), other)
            joined = api.post(f"/me/challenges/{challenge_id}/join", headers=headers)
            assert joined.status_code == 200, joined.text
        project_pending(
            live.container.uow,
            provider.tenant_id,
            projector=live.container.projector(),
        )
        mine = member_headers(live.container, str(provider.tenant_id), provider.member_id)
        expected = api.get("/me/engagement", headers=mine).json()

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

    daily, weekly = page.locator('[data-streak="daily"]'), page.locator('[data-streak="weekly"]')
    expect(daily.locator('[data-field="current"]')).to_have_text(str(expected["daily"]["current"]))
    expect(weekly.locator('[data-field="current"]')).to_have_text(
        str(expected["weekly"]["current"])
    )
    expect(page.locator('[data-field="score"]')).to_have_text(str(round(expected["score"] * 100)))
    assert expected["weekly"]["current"] > 0 and expected["score"] > 0
    expect(page.locator(".movement-list li")).to_have_count(10)
    expect(page.locator(".movement-list")).to_contain_text("Recorded by staff")
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length === 3")
    photograph(page, live, "app-progress")

    # The goal with the keyboard: minutes, 200 a week.
    _tab_to(page, page.get_by_label("Goal", exact=True))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("200")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/progress?saved=1#goal")
    expect(page.get_by_role("status")).to_have_text("Your goal is saved.")
    expect(page.locator('[data-field="goal"]')).to_contain_text("of 200")
    expect(page.locator('[data-field="goal"]')).to_contain_text("minutes")

    # A goal out of range: the page again with the reason, the goal unchanged.
    _tab_to(page, page.get_by_label("Target"))
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("9000")
    page.keyboard.press("Enter")
    expect(page.locator("#goal-error")).to_contain_text("from 10 to 3000")
    expect(page.locator('[data-field="goal"]')).to_contain_text("of 200")
    photograph(page, live, "app-progress-goal-refused")

    # Challenges is a tab of Progress (the phone's bar keeps five sections).
    _tab_to(page, page.get_by_role("link", name="Challenges", exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/challenges")
    expect(
        page.get_by_role("navigation", name="Member app").get_by_role("link", name="Progress")
    ).to_have_attribute("aria-current", "page")
    card = page.locator(".challenge-card", has_text="Winter minutes")
    expect(card).to_contain_text("Self-reports count")
    expect(card).to_contain_text("At most 120 a day")
    expect(page.locator(".challenge-card", has_text="Spring steps")).to_contain_text(
        "Starting soon"
    )
    photograph(page, live, "app-challenges")
    _tab_to(page, card.get_by_role("button", name="Join"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/challenges/{challenge_id}")
    me = page.locator("tr.me")
    expect(me).to_contain_text("Ama M.")
    expect(me).to_contain_text("(you)")
    expect(page.locator("section[aria-labelledby=board] tbody tr")).to_have_count(3)
    expect(page.locator('[data-field="mine"]')).to_contain_text("of 3")
    photograph(page, live, "app-challenge-board")
    assert uuid.UUID(challenge_id)
