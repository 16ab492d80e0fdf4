"""In a real Chromium: a manager creates a challenge from the console with the keyboard,
members join and move (ledger events through the API, then projected), the board fills;
the manager then reads the Engagement report with its charts drawn and no refusal by the
page's Content-Security-Policy."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from server.engagement.projection import project_pending
from tests.integration.bookings_helpers import member_headers
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "challenges-browser-gym"
OWNER, PASSWORD = "owner@challenges-browser-gym.example", "correct horse battery"
MANAGER = "manager@challenges-browser-gym.example"
MEMBER = ("ama@challenges-browser-gym.example", "member web password")
LONDON = ZoneInfo("Europe/London")
_DRAWN = """(canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) drawn++;
  return drawn;
}"""


def _post(api: httpx.Client, path: str, body: dict[str, Any], headers: Any) -> Any:
    made = api.post(path, json=body, headers=headers)
    assert made.status_code in (200, 201), made.text
    return made.json()


def _charts_drawn(page: Page) -> None:
    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() >= 3
    for i in range(canvases.count()):
        assert canvases.nth(i).evaluate(_DRAWN) > 200, f"chart {i} is blank"


def test_a_manager_runs_a_challenge_and_reads_the_engagement_report(
    live: Live, browser: Browser
) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Challenges Gym",
        currency="GBP",
        owner=(OWNER, PASSWORD),
        location=("Soho Studio", "Europe/London"),
        member=MEMBER,
    )
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        _post(
            api,
            "/staff",
            {"name": "Mona Manager", "email": MANAGER, "role": "manager", "password": PASSWORD},
            provider.owner,
        )
        others = [
            _post(api, "/members", {"first_name": first, "last_name": last}, provider.owner)["id"]
            for first, last in (("Kofi", "Boateng"), ("Efua", "Owusu"))
        ]
    width, height = SIZES["desktop"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    refused: list[str] = []

    def _console(message: ConsoleMessage) -> None:
        # The refused form answers 422 on purpose; the browser logs that as an error.
        if "status of 422" in message.text:
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", _console)
    page.on("pageerror", lambda error: refused.append(str(error)))
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(SLUG)
    page.get_by_label("Email").fill(MANAGER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/manage")
    page.get_by_role("link", name="Challenges").click()
    page.wait_for_url(f"{live.url}/manage/challenges")
    page.get_by_role("link", name="New challenge").click()
    expect(page.get_by_role("heading", name="New challenge")).to_be_visible()

    today = datetime.now(LONDON).date()
    # First a challenge ending before it starts: the form again, with the reason.
    page.get_by_label("Name").fill("December moves")
    page.get_by_label("Description").fill("Come to three sessions before the holidays.")
    page.get_by_label("What counts").select_option("sessions")
    page.get_by_label("First day").fill((today - timedelta(days=7)).isoformat())
    page.get_by_label("Last day").fill((today - timedelta(days=8)).isoformat())
    page.get_by_label("Target").fill("3")
    page.get_by_role("button", name="Create challenge").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#f-ends_on-error")).to_have_text(
        "A challenge cannot end before it starts."
    )
    expect(page.get_by_label("Last day")).to_have_attribute("aria-invalid", "true")
    photograph(page, live, "manage-challenge-refused")
    page.get_by_label("Last day").fill((today + timedelta(days=20)).isoformat())
    page.get_by_label("Daily cap").fill("2")
    page.get_by_role("button", name="Create challenge").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/manage/challenges/*")
    expect(page.get_by_role("heading", level=1, name="December moves")).to_be_visible()
    expect(page.get_by_text("Nobody has joined yet.")).to_be_visible()
    challenge_id = page.url.rsplit("/", 1)[1]

    # Members join and move: staff entries through the API, then the projector runs.
    tenant = str(provider.tenant_id)
    members = [provider.member_id, *others]
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        for member in members:
            _post(
                api,
                f"/me/challenges/{challenge_id}/join",
                {},
                member_headers(live.container, tenant, member),
            )
        # Ama 3 sessions (over two days), Kofi 2, Efua 1.
        now = datetime.now(UTC)
        for member, count in zip(members, (3, 2, 1), strict=True):
            for n in range(count):
                _post(
                    api,
                    "/movement-events",
                    {
                        "member_id": member,
                        "kind": "staff_entry",
                        "minutes": 30,
                        "intensity": "moderate",
                        "occurred_at": (now - timedelta(hours=30 * n + 1)).isoformat(),
                    },
                    provider.owner,
                )
    project_pending(
        live.container.uow,
        uuid.UUID(tenant),
        projector=live.container.projector(),
    )
    page.reload()
    board = page.locator('table[data-board="members"] tbody tr')
    expect(board).to_have_count(3)
    expect(board.nth(0)).to_contain_text("Ama M.")
    expect(board.nth(0).locator("td").nth(1)).to_have_text("3")
    photograph(page, live, "manage-challenge-board")

    page.get_by_role("link", name="Challenges", exact=True).first.click()
    page.wait_for_url(f"{live.url}/manage/challenges")
    expect(page.locator('[data-group="active"]')).to_contain_text("December moves")
    photograph(page, live, "manage-challenges")

    page.get_by_role("link", name="Reports").click()
    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Engagement").click()
    page.wait_for_url("**/manage/reports/engagement?*")
    expect(page.get_by_role("heading", name="Challenge participation")).to_be_visible()
    challenges = page.locator('table[data-table="challenges"] tbody tr')
    expect(challenges).to_have_count(1)
    expect(challenges.nth(0)).to_contain_text("December moves")
    _charts_drawn(page)
    photograph(page, live, "manage-reports-engagement")
    assert refused == [], refused
    context.close()
