"""In a real Chromium: an owner downloads all of the tenant's data from Set-up, with the
keyboard; a manager sees no such button and is refused the address."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.web.conftest import SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "archive-gym"
OWNER, PASSWORD = "owner@archive-gym.example", "correct horse battery"


def test_an_owner_downloads_all_of_the_data(live: Live, browser: Browser, tmp_path: Path) -> None:
    open_provider(
        live,
        slug=SLUG,
        name="Archive Gym",
        currency="GBP",
        owner=(OWNER, PASSWORD),
        location=("Soho Studio", "Europe/London"),
        member=("ama@archive-gym.example", "member web password"),
    )
    width, height = SIZES["desktop"]
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    console = context.new_page()
    console.goto(f"{live.url}/manage/signin")
    console.get_by_label("Gym or studio (short name)").fill(SLUG)
    console.get_by_label("Email").fill(OWNER)
    console.get_by_label("Password").fill(PASSWORD)
    console.keyboard.press("Enter")
    console.wait_for_url(f"{live.url}/manage")
    console.goto(f"{live.url}/manage/setup")
    link = console.get_by_role("link", name="Download all our data")
    expect(link).to_be_visible()
    photograph(console, live, "manage-setup-download-all")
    link.focus()
    with console.expect_download() as downloading:
        console.keyboard.press("Enter")
    saved = tmp_path / "all.zip"
    downloading.value.save_as(saved)
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        members = archive.read("members.csv").decode()
    assert manifest["format"] == "zmos-tenant-archive" and manifest["tenant"]["slug"] == SLUG
    assert "ama@archive-gym.example" in members
