"""In a real Chromium: a member picks channels per kind of message on Account,
Notifications (SMS refused until their phone has a country code), then opens an email's
unsubscribe link: the page asks first (a GET changes nothing), the button unsubscribes;
a forged link is refused. Photographed at both sizes."""

from __future__ import annotations

import uuid

from playwright.sync_api import Browser, expect
from sqlalchemy import update

from server.members.models import Member
from server.notices import preferences, rules
from tests.web.conftest import SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "channels-browser-gym"
MEMBER, MEMBER_PASSWORD = f"efua@{SLUG}.example", "member web password"


def _channels(live: Live, tenant_id: uuid.UUID, member_id: str) -> dict[str, object]:
    return preferences.get_channels(
        uow=live.container.uow(), tenant_id=tenant_id, member_id=uuid.UUID(member_id)
    ).model_dump()


def test_a_member_picks_channels_and_unsubscribes_from_an_email_link(
    live: Live, browser: Browser
) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Channel Gym",
        currency="GHS",
        owner=(f"owner@{SLUG}.example", "correct horse battery"),
        location=("Osu Studio", "Africa/Accra"),
        member=(MEMBER, MEMBER_PASSWORD),
    )
    width, height = SIZES["phone"]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live.url}/app/{SLUG}/signin")
    page.get_by_label("Email", exact=True).fill(MEMBER)
    page.get_by_label("Password").fill(MEMBER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/pass")
    page.goto(f"{live.url}/app/account/notifications")
    expect(page.get_by_label("Reminders: Email")).to_be_checked()
    expect(page.get_by_label("Reminders: SMS")).not_to_be_checked()

    # No phone with a country code yet: SMS is refused and nothing is saved.
    page.get_by_label("Reminders: SMS").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("country code")
    expect(page.get_by_label("Reminders: SMS")).to_be_checked()  # as sent
    assert _channels(live, provider.tenant_id, provider.member_id)["reminder"] == ["email"]
    photograph(page, live, "app-account-channels-error")

    with live.container.uow() as uow:
        uow.db.execute(
            update(Member)
            .where(Member.id == uuid.UUID(provider.member_id))
            .values(phone="+233201234567")
        )
        uow.commit()
    page.goto(f"{live.url}/app/account/notifications")
    page.get_by_label("Reminders: SMS").check()
    page.get_by_label("Reminders: WhatsApp").check()
    page.get_by_label("News and offers: Email").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    expect(page.get_by_label("Reminders: WhatsApp")).to_be_checked()
    mine = _channels(live, provider.tenant_id, provider.member_id)
    assert mine["reminder"] == ["email", "sms", "whatsapp"] and mine["marketing"] == []
    photograph(page, live, "app-account-channels")

    # The link of a nudge email, opened in a browser (as a mail scanner would, too).
    token = rules.unsubscribe_token(
        live.container.settings.resolved_secret_key,
        rules.UnsubscribeRequest(
            provider.tenant_id, uuid.UUID(provider.member_id), rules.Kind.NUDGE
        ),
    )
    outside = browser.new_context(viewport={"width": width, "height": height}).new_page()
    outside.goto(f"{live.url}/unsubscribe/{token}")
    expect(outside.get_by_role("heading", name="Unsubscribe")).to_be_visible()
    assert _channels(live, provider.tenant_id, provider.member_id)["nudge"] == ["email"]
    photograph(outside, live, "unsubscribe-ask")
    outside.get_by_role("button", name="Unsubscribe").click()
    expect(outside.get_by_role("heading", name="Unsubscribed")).to_be_visible()
    assert _channels(live, provider.tenant_id, provider.member_id)["nudge"] == []
    photograph(outside, live, "unsubscribe-done")

    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    outside.goto(f"{live.url}/unsubscribe/{forged}")
    expect(outside.get_by_role("heading", name="Link not valid")).to_be_visible()
    expect(outside.get_by_role("button")).to_have_count(0)
    photograph(outside, live, "unsubscribe-invalid")
