"""In a real Chromium: a member downloads their data and asks for a correction (Account →
Your data); the owner answers it on the member's Privacy page, downloads the member's data,
is refused an unconfirmed erasure and then erases the member, who can no longer sign in."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.web.conftest import SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "privacy-gym"
OWNER, OWNER_PASSWORD = "owner@privacy-gym.example", "correct horse battery"
MEMBER, MEMBER_PASSWORD = "ama@privacy-gym.example", "member web password"


def test_a_member_gets_their_data_asks_a_correction_and_is_erased(
    live: Live, browser: Browser, tmp_path: Path
) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Privacy Gym",
        currency="GBP",
        owner=(OWNER, OWNER_PASSWORD),
        location=("Soho Studio", "Europe/London"),
        member=(MEMBER, MEMBER_PASSWORD),
    )
    width, height = SIZES["phone"]
    member = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = member.new_page()
    page.goto(f"{live.url}/app/{SLUG}/signin")
    page.get_by_label("Email").fill(MEMBER)
    page.get_by_label("Password").fill(MEMBER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/pass")
    page.goto(f"{live.url}/app/account")
    page.get_by_role("link", name="Your data").click()
    page.wait_for_url(f"{live.url}/app/account/data")
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download my data").click()
    saved = tmp_path / "mine.json"
    downloading.value.save_as(saved)
    document = json.loads(saved.read_text())
    assert document["format"] == "zmos-member-export/1"
    assert document["tables"]["members"][0]["email"] == MEMBER
    # The request is written and sent with the keyboard.
    page.get_by_label("What is wrong").focus()
    page.keyboard.type("My surname is Mensah-Owusu")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/account/data?done=asked")
    expect(page.get_by_role("status")).to_contain_text("the studio will look at your request")
    expect(page.get_by_text("My surname is Mensah-Owusu")).to_be_visible()
    photograph(page, live, "app-account-your-data")

    desk = browser.new_context(
        viewport={"width": SIZES["desktop"][0], "height": SIZES["desktop"][1]},
        accept_downloads=True,
    )
    console = desk.new_page()
    console.goto(f"{live.url}/manage/signin")
    console.get_by_label("Gym or studio (short name)").fill(SLUG)
    console.get_by_label("Email").fill(OWNER)
    console.get_by_label("Password").fill(OWNER_PASSWORD)
    console.get_by_role("button", name="Sign in").click()
    console.wait_for_url(f"{live.url}/manage")
    console.goto(f"{live.url}/manage/members/{provider.member_id}")
    console.get_by_role("link", name="Privacy: data export, erasure, requests").click()
    console.wait_for_url(f"{live.url}/manage/members/{provider.member_id}/privacy")
    expect(console.get_by_text("My surname is Mensah-Owusu")).to_be_visible()
    photograph(console, live, "manage-member-privacy")
    console.get_by_label("What was corrected").fill("surname corrected on the profile")
    console.get_by_role("button", name="Mark answered").click()
    expect(console.get_by_role("status")).to_have_text("The request is marked as answered.")
    with console.expect_download() as downloading:
        console.get_by_role("button", name="Download the member's data").click()
    assert downloading.value.suggested_filename == f"member-data-{provider.member_id}.json"
    # A wrong confirmation: the page again with the message, nothing erased.
    console.get_by_label("To confirm, type the member's email or full name").fill("Ama")
    console.get_by_role("button", name="Erase personal data").click()
    expect(console.get_by_role("alert")).to_contain_text("type the member's email or full name")
    photograph(console, live, "manage-member-privacy-unconfirmed")
    console.get_by_label("To confirm, type the member's email or full name").fill(MEMBER)
    console.get_by_role("button", name="Erase personal data").click()
    expect(console.get_by_role("status")).to_have_text("The member's personal data is erased.")
    expect(console.get_by_role("heading", name="Privacy")).to_be_visible()
    expect(console.locator(".eyebrow")).to_contain_text("Erased member")
    photograph(console, live, "manage-member-privacy-erased")
    desk.close()

    # The member's sign-in has ended, and they cannot sign in again.
    page.goto(f"{live.url}/app/account/data")
    expect(page).not_to_have_url(f"{live.url}/app/account/data")
    page.goto(f"{live.url}/app/{SLUG}/signin")
    page.get_by_label("Email").fill(MEMBER)
    page.get_by_label("Password").fill(MEMBER_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    member.close()
