"""A manager keeps the prescription profiles in the console's Set-up: adds one (a refused
dose first), edits it into version 2 with its history shown, and sets it on a session type,
which then shows the profile's values."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, expect

from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph

OWNER, OWNER_PASSWORD = "owner@mpp-gym.example", "correct horse battery"
MANAGER, MANAGER_PASSWORD = "manager@mpp-gym.example", "manager web password"
MEMBER, MEMBER_PASSWORD = "ama@mpp-gym.example", "member web password"


def test_a_manager_adds_a_profile_edits_it_and_sets_it_on_a_session_type(
    live: Live, browser: Browser
) -> None:
    provider = open_provider(
        live,
        slug="mpp-gym",
        name="Prescribed Gym",
        currency="GBP",
        owner=(OWNER, OWNER_PASSWORD),
        location=("Soho Studio", "Europe/London"),
        member=(MEMBER, MEMBER_PASSWORD),
    )
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
        typed = api.post(
            "/session-types",
            json={
                "name": "Gentle strength",
                "kind": "class",
                "category": "strength",
                "duration_minutes": 45,
                "default_capacity": 10,
                "intensity": "vigorous",
            },
            headers=provider.owner,
        )
        assert typed.status_code == 201, typed.text
    width, height = SIZES["desktop"]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill("mpp-gym")
    page.get_by_label("Email").fill(MANAGER)
    page.get_by_label("Password").fill(MANAGER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/manage")
    page.get_by_role("link", name="Set-up").click()
    page.get_by_role("link", name="Prescription profiles").click()
    # The starter library is there from the sign-up.
    expect(page.locator("tbody tr", has_text="Balance & falls prevention")).to_be_visible()
    photograph(page, live, "manage-profiles")

    page.get_by_role("link", name="New profile").click()
    page.get_by_label("Name", exact=True).fill("Knee-friendly strength")
    page.get_by_label("Summary").fill("Strength work that spares sore knees.")
    page.get_by_role("group", name="Goals it serves").get_by_label("Strength").check()
    page.get_by_role("group", name="Risks it suits").get_by_label("Joint pain").check()
    page.get_by_role("group", name="Not for people with").get_by_label("Recent injury").check()
    # At least 4 a week but at most 2: refused, the form again with the message.
    page.get_by_label("Sessions a week, at least").fill("4")
    page.get_by_label("Sessions a week, at most").fill("2")
    page.get_by_role("button", name="Create profile").click()
    expect(page.get_by_role("alert")).to_contain_text("cannot be more than")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Knee-friendly strength")
    photograph(page, live, "manage-profile-refused")
    page.get_by_label("Sessions a week, at least").fill("2")
    page.get_by_role("button", name="Create profile").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.locator("[data-version]")).to_have_count(1)

    # An edit writes version 2; version 1 stays in the history.
    page.get_by_label("Intensity", exact=True).select_option("low")
    page.get_by_label("Minutes a week").fill("90")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.locator("[data-version]")).to_have_count(2)
    expect(page.locator("[data-version='2']")).to_contain_text("90 min a week")
    expect(page.locator("[data-version='1']")).to_contain_text("60 min a week")
    expect(page.locator("[data-version='2']")).to_contain_text("Joint pain")
    photograph(page, live, "manage-profile")

    page.get_by_role("link", name="Set-up", exact=True).first.click()
    page.get_by_role("link", name="Session types").click()
    page.get_by_role("link", name="Gentle strength").click()
    page.get_by_label("Prescription profile").select_option(label="Knee-friendly strength")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    # The profile's values replaced the type's own: low, its goal, its flags, twice a week.
    expect(page.get_by_label("Intensity", exact=True)).to_have_value("low")
    expect(page.get_by_label("Primary goal")).to_have_value("strength")
    expect(page.get_by_label("Contra-indications")).to_have_value("recent_injury")
    expect(page.get_by_label("Suggested times a week")).to_have_value("2")
    photograph(page, live, "manage-session-type-profile")
    page.get_by_role("link", name="Session types").click()
    expect(page.locator("tr", has_text="Gentle strength")).to_contain_text("Knee-friendly strength")
    photograph(page, live, "manage-session-types-profile")
