"""In a real Chromium: a member, with the keyboard only, opens the Tiles, does one, and
sees the day's count reach the cap; a manager creates a Tile and a circle in the console
and posts an announcement, which a member who joins the circle in the app reads."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
from playwright.sync_api import Browser, Locator, Page, expect

from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import Provider, open_provider, photograph

OWNER, OWNER_PASSWORD = "owner@tiles-gym.example", "correct horse battery"
MANAGER, MANAGER_PASSWORD = "manager@tiles-gym.example", "manager web password"
MEMBER, MEMBER_PASSWORD = "ama@tiles-gym.example", "member web password"


def _provider(live: Live, slug: str) -> Provider:
    return open_provider(
        live,
        slug=slug,
        name="Tiles Gym",
        currency="GBP",
        owner=(OWNER, OWNER_PASSWORD),
        location=("Soho Studio", "Europe/London"),
        member=(MEMBER, MEMBER_PASSWORD),
    )


def _tab_to(page: Page, target: Locator, presses: int = 60) -> None:
    """Moves the keyboard focus to ``target`` with Tab, as a person without a mouse does."""
    for _ in range(presses):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def _member_signs_in(page: Page, live: Live, slug: str) -> None:
    page.goto(f"{live.url}/app/{slug}/signin")
    page.get_by_label("Email").fill(MEMBER)
    page.keyboard.press("Tab")
    page.keyboard.type(MEMBER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/pass")


def test_a_member_does_tiles_with_the_keyboard_up_to_the_days_cap(
    live: Live, browser: Browser
) -> None:
    provider = _provider(live, "tiles-gym")
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        loaded = api.post("/tiles/starter", headers=provider.owner)
        assert loaded.status_code == 200 and loaded.json()["added"] == 8, loaded.text
        push_ups = next(t for t in loaded.json()["items"] if t["title"] == "Wall push-ups")
        video = {"video_url": "https://video.example/wall-push-ups"}
        changed = api.patch(f"/tiles/{push_ups['id']}", json=video, headers=provider.owner)
        assert changed.status_code == 200, changed.text
    width, height = SIZES["phone"]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    _member_signs_in(page, live, "tiles-gym")
    # Tiles is a tab of Progress in the member app's bar.
    _tab_to(page, page.get_by_role("link", name="Progress", exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/progress")
    _tab_to(page, page.get_by_role("link", name="Tiles", exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/tiles")
    expect(page.locator(".tile-card")).to_have_count(8)
    expect(page.locator("#tile-count")).to_have_text("0 of 3 today")
    stairs = page.locator(".tile-card", has_text="Stair intervals")
    expect(stairs).to_contain_text("Not for you if you have: heart condition, knee injury")
    photograph(page, live, "app-tiles")

    _tab_to(page, page.get_by_role("link", name="Wall push-ups"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Wall push-ups")).to_be_visible()
    expect(page.locator(".tile-steps li")).to_have_count(4)
    video_link = page.get_by_role("link", name="Watch the video")
    expect(video_link).to_have_attribute("href", "https://video.example/wall-push-ups")
    photograph(page, live, "app-tile")
    done = page.locator(".tile-done").get_by_role("button", name="Done")
    for count in (1, 2, 3):
        _tab_to(page, done)
        page.keyboard.press("Enter")
        expect(page.locator("#message")).to_contain_text("Done")
        expect(page.locator("#tile-count")).to_contain_text(f"{count} of 3 today")
        # Reloading the page after "Done" records nothing more.
        page.reload()
        expect(page.locator("#tile-count")).to_contain_text(f"{count} of 3 today")
    expect(done).to_have_count(0)
    expect(page.get_by_text("Come back tomorrow")).to_be_visible()
    photograph(page, live, "app-tile-at-cap")
    page.get_by_role("link", name="Movement Tiles").click()
    expect(page.locator("#tile-count")).to_have_text("3 of 3 today")
    expect(page.locator(".tile-card", has_text="Wall push-ups")).to_contain_text("Done today")


def test_a_manager_adds_a_tile_and_a_circle_and_a_member_reads_the_announcement(
    live: Live, browser: Browser
) -> None:
    provider = _provider(live, "circle-gym")
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        made = api.post(
            "/staff",
            json={
                "name": "Mo Manager",
                "email": MANAGER,
                "role": "manager",
                "password": MANAGER_PASSWORD,
            },
            headers=provider.owner,
        )
        assert made.status_code == 201, made.text
        today = date.today()
        challenge = api.post(
            "/challenges",
            json={
                "name": "Canal kilometres",
                "metric": "sessions",
                "starts_on": today.isoformat(),
                "ends_on": (today + timedelta(days=28)).isoformat(),
            },
            headers=provider.owner,
        )
        assert challenge.status_code == 201, challenge.text
    width, height = SIZES["desktop"]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill("circle-gym")
    page.get_by_label("Email").fill(MANAGER)
    page.get_by_label("Password").fill(MANAGER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/manage")
    page.get_by_role("link", name="Set-up").click()
    page.get_by_role("link", name="Movement Tiles").click()
    page.get_by_role("link", name="New Tile").click()
    # Twelve minutes is too long for a Tile: the form again, the message by the field.
    page.get_by_label("Title").fill("Lunchtime stretch")
    page.get_by_label("Summary").fill("Loosen up between meetings.")
    page.get_by_label("Minutes").fill("12")
    page.get_by_label("Intensity").select_option("light")
    page.get_by_label("Steps").fill("Stand tall.\nRoll your shoulders ten times.\nReach up.")
    page.get_by_label("Not for people with").fill("recent shoulder injury")
    page.get_by_role("button", name="Create Tile").click()
    expect(page.locator("[data-field=minutes] .field-error")).to_contain_text("10")
    photograph(page, live, "manage-tile-refused")
    page.get_by_label("Minutes").fill("6")
    page.get_by_role("button", name="Create Tile").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_label("Steps")).to_have_value(
        "Stand tall.\nRoll your shoulders ten times.\nReach up."
    )
    photograph(page, live, "manage-tile-edit")
    page.get_by_role("link", name="Movement Tiles").click()
    page.get_by_role("button", name="Add the starter Tiles").click()
    expect(page.locator("tbody tr")).to_have_count(9)
    page.get_by_role("button", name="Archive to Brisk walk").click()
    expect(page.locator("tr", has_text="Brisk walk")).to_contain_text("Archived")
    photograph(page, live, "manage-tiles")

    page.get_by_role("link", name="Set-up", exact=True).first.click()
    page.get_by_role("link", name="Circles").click()
    page.get_by_role("button", name="Create circle").click()
    expect(page.locator("#c-name-error")).to_be_visible()
    page.get_by_label("Name").fill("Saturday runners")
    page.get_by_label("Interest").fill("runners")
    page.get_by_label("Description").fill("An easy 5 km along the canal.")
    page.get_by_role("button", name="Create circle").click()
    expect(page.get_by_role("heading", name="Saturday runners")).to_be_visible()
    page.get_by_label("Title").fill("Meet at the lock")
    page.get_by_label("Message").fill("Saturday at 8:00 by the Camden lock.\nAll paces welcome.")
    page.get_by_label("About a challenge").select_option(label="Canal kilometres")
    page.get_by_role("button", name="Post announcement").click()
    expect(page.get_by_text("Announced to the circle.")).to_be_visible()

    # The member joins in the app and reads it.
    phone_width, phone_height = SIZES["phone"]
    app = browser.new_context(viewport={"width": phone_width, "height": phone_height}).new_page()
    _member_signs_in(app, live, "circle-gym")
    app.get_by_role("link", name="Account").click()
    app.get_by_role("link", name="Circles").click()
    card = app.locator(".circle-card", has_text="Saturday runners")
    expect(card).to_be_visible()
    photograph(app, live, "app-circles")
    card.get_by_role("button", name="Join Saturday runners").click()
    expect(app.locator("#message")).to_have_text("You joined the circle.")
    expect(app.locator(".announcement")).to_contain_text("Meet at the lock")
    expect(app.locator(".announcement")).to_contain_text("All paces welcome.")
    expect(app.locator(".announcement")).to_contain_text("About the challenge Canal kilometres")
    photograph(app, live, "app-circle")

    page.reload()
    expect(page.locator(".circle-members")).to_contain_text("Ama Mensah")
    page.get_by_label("Name").fill("Saturday canal runners")
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_role("heading", name="Saturday canal runners")).to_be_visible()
    photograph(page, live, "manage-circle")
    page.get_by_role("link", name="Circles").click()
    photograph(page, live, "manage-circles")
    page.get_by_role("link", name="Saturday canal runners").click()
    page.get_by_role("button", name="Delete this circle").click()
    expect(page.get_by_text("No circles yet.")).to_be_visible()
