"""In a real Chromium: a member opens Account → Import activity, chooses a GPX file of a
morning run with the keyboard alone and imports it, reads the report (the run added), sends
a file that is not what it says and gets the page again with the reason, and sees both
imports' history. Every page is photographed at both sizes."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, FileChooser, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.integration.activity_files import gpx_run
from tests.web.conftest import SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "imports-browser-gym"
MEMBER, MEMBER_PASSWORD = f"ama@{SLUG}.example", "member web password"


def test_a_member_imports_a_gpx_run_with_the_keyboard(
    live: Live, browser: Browser, tmp_path: Path
) -> None:
    open_provider(
        live,
        slug=SLUG,
        name="Imports Gym",
        currency="GBP",
        owner=(f"owner@{SLUG}.example", "correct horse battery"),
        location=("Hackney", "Europe/London"),
        member=(MEMBER, MEMBER_PASSWORD),
    )
    run = tmp_path / "morning-run.gpx"
    run.write_bytes(gpx_run())
    forged = tmp_path / "forged.gpx"
    forged.write_text('{"session": []}')
    width, height = SIZES["phone"]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{live.url}/app/{SLUG}/signin")
    page.get_by_label("Email").fill(MEMBER)
    page.get_by_label("Password").fill(MEMBER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/pass")
    page.goto(f"{live.url}/app/account")
    page.get_by_role("link", name="Import activity").click()
    expect(page.get_by_role("heading", name="Import activity")).to_be_visible()
    expect(page.get_by_text("No imports yet.")).to_be_visible()
    photograph(page, live, "member-imports-empty")

    # Keyboard only: focus the file input, open the chooser with Space, import with Enter.
    # The page is settled first (the photographs resized it), and the focus checked, so the
    # Space reaches the file input on a slow machine too.
    page.wait_for_load_state("load")
    page.bring_to_front()
    _chooser_by_keyboard(page, page.get_by_label("Activity file")).set_files(str(run))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Import")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="morning-run.gpx")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("1 added · 0 already recorded · 0 skipped")
    expect(page.get_by_text("40\u00a0min counted")).to_be_visible()
    photograph(page, live, "member-import-report")

    page.get_by_role("link", name="Import activity").first.click()
    page.get_by_label("Activity file").set_input_files(str(forged))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("alert")).to_contain_text("The GPX file is not readable XML")
    expect(page.get_by_label("Activity file")).to_have_attribute("aria-invalid", "true")
    photograph(page, live, "member-imports-refused")
    expect(page.get_by_role("link", name="morning-run.gpx")).to_be_visible()
    page.close()


def _chooser_by_keyboard(page: Page, field: Locator) -> FileChooser:
    """Space on the focused file input opens the chooser. A busy headless Chromium now and
    then drops the key's user activation (no chooser, no error): the key is pressed again,
    a few times at most, so the check stays that the keyboard alone opens it."""
    for _ in range(3):
        field.focus()
        expect(field).to_be_focused()
        try:
            with page.expect_file_chooser(timeout=5_000) as chooser:
                page.keyboard.press("Space")
        except PlaywrightTimeoutError:
            continue
        return chooser.value
    raise AssertionError("Space on the focused file input never opened the file chooser")
