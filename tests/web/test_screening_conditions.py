"""In a real Chromium: under a yes, the questionnaire asks (optionally) which condition it
is; the member says it is their back, and the studio sees a low back pain flag from the
screening."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, expect

from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "condition-gym"
OWNER, OWNER_PASSWORD = "owner@condition-gym.example", "correct horse battery"
MEMBER, MEMBER_PASSWORD = "esi@condition-gym.example", "member web password"


def test_a_member_names_the_condition_and_it_becomes_a_flag(live: Live, browser: Browser) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Condition Gym",
        currency="GBP",
        owner=(OWNER, OWNER_PASSWORD),
        location=("Soho Studio", "Europe/London"),
        member=(MEMBER, MEMBER_PASSWORD),
    )
    width, height = SIZES["phone"]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live.url}/app/{SLUG}/signin")
    page.get_by_label("Email").fill(MEMBER)
    page.get_by_label("Password").fill(MEMBER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/pass")
    page.goto(f"{live.url}/app/account/health")
    for question in page.locator("[data-question]").all():
        question.get_by_role("radio", name="No").first.check()
    joints = page.locator('[data-question="bone_joint"]')
    follow = joints.locator("[data-follows]")
    expect(follow).to_be_hidden()
    joints.get_by_role("radio", name="Yes").first.check()
    expect(follow).to_be_visible()
    expect(follow.get_by_text("Which is it?")).to_be_visible()
    daily = follow.get_by_role("group", name="Can you do your normal daily activities")
    daily.get_by_role("radio", name="Yes").check()
    recent = follow.get_by_role("group", name="Have you had an injury or surgery")
    recent.get_by_role("radio", name="No").check()
    follow.get_by_role("group", name="Is it your back?").get_by_role("radio", name="Yes").check()
    photograph(page, live, "app-health-which-condition")
    page.get_by_role("button", name="Save my answers").click()
    page.wait_for_url(f"{live.url}/app/account/health?saved=1")
    expect(page.get_by_role("heading", name="Clear to take part")).to_be_visible()
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        flags = api.get(f"/members/{provider.member_id}/risk-flags", headers=provider.owner)
    assert [(f["flag"], f["source"]) for f in flags.json()["items"]] == [
        ("low_back_pain", "screening")
    ]
