"""In a real Chromium: an owner adds a webhook for a real receiver on loopback, in batches,
keeps the secret it shows once, rotates it, sees an event the receiver kept refusing in the
dead letters, and replays it once the receiver is fixed."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

from playwright.sync_api import Browser, expect

from server.outbox.record import record
from tests.integration.outbox_helpers import drain, event, relay_of
from tests.loopback.event_receiver import BATCH, Answer, event_receiver
from tests.web.conftest import SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "webhooks-browser-gym"
OWNER, PASSWORD = "owner@webhooks-browser-gym.example", "correct horse battery"


def test_an_owner_adds_rotates_and_replays_a_webhook(live: Live, browser: Browser) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Webhooks Gym",
        currency="GBP",
        owner=(OWNER, PASSWORD),
        location=("Osu Studio", "Africa/Accra"),
        member=("ama@webhooks-browser-gym.example", "member web password"),
    )
    fixed = threading.Event()
    with (
        event_receiver(
            answer=lambda _n, _e: Answer() if fixed.is_set() else Answer(500)
        ) as receiver,
        relay_of(live.container) as relay,
    ):
        width, height = SIZES["desktop"]
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(f"{live.url}/manage/signin")
        page.get_by_label("Gym or studio (short name)").fill(SLUG)
        page.get_by_label("Email").fill(OWNER)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Password").press("Enter")
        page.wait_for_url(f"{live.url}/manage")
        page.goto(f"{live.url}/manage/setup")
        page.get_by_role("link", name="Webhooks").click()
        page.wait_for_url(f"{live.url}/manage/setup/webhooks")
        expect(page.get_by_text("No webhooks yet.")).to_be_visible()

        # Plain http to another machine is refused, said on the form; nothing is added.
        page.get_by_label("URL").fill("http://hooks.example.com/zmos")
        page.get_by_role("button", name="Add webhook").click()
        expect(page.get_by_role("alert")).to_contain_text("plain http is only allowed")
        expect(page.get_by_text("No webhooks yet.")).to_be_visible()

        # A delivery mode the server does not know (a tampered form) is refused, said.
        page.get_by_label("URL").fill(receiver.url)
        page.get_by_label("Delivery").evaluate("s => { s.options[1].value = 'binary'; }")
        page.get_by_label("Delivery").select_option("binary")
        page.get_by_role("button", name="Add webhook").click()
        expect(page.get_by_role("alert")).to_contain_text("content_mode")
        expect(page.get_by_text("No webhooks yet.")).to_be_visible()

        page.get_by_label("URL").fill(receiver.url)
        page.get_by_label("Events").fill("test.*")
        page.get_by_label("Description").fill("Our CRM")
        page.get_by_label("Delivery").select_option("batch")
        page.get_by_role("button", name="Add webhook").click()
        first_secret = page.locator("[data-secret]").inner_text().strip()
        assert first_secret.startswith("whsec_")
        receiver.secrets.append(first_secret)
        hook = page.locator("section.webhook")
        expect(hook).to_contain_text("Active")
        expect(hook).to_contain_text("test.*")
        expect(hook.locator("[data-content-mode]")).to_have_text("In batches of up to 100 events")
        photograph(page, live, "manage-webhooks-added")

        # Rotated: the new secret is shown; the old one still signs for a day.
        hook.get_by_role("button", name="Rotate secret").click()
        second_secret = page.locator("[data-secret]").inner_text().strip()
        assert second_secret.startswith("whsec_") and second_secret != first_secret
        expect(page.locator("section.webhook")).to_contain_text("The previous secret still signs")
        receiver.secrets[:] = [second_secret]

        # An event the receiver refuses for three days is dead-lettered…
        with live.container.uow() as uow:
            record(uow.db, [event(provider.tenant_id, "test.visit", uuid.uuid4(), n=1)])
            uow.commit()
        drain(live.container, relay, datetime.now(UTC))
        page.goto(f"{live.url}/manage/setup/webhooks")
        dead = page.locator("[data-dead]")
        expect(dead).to_have_count(1)
        expect(dead).to_contain_text("test.visit")
        expect(dead).to_contain_text("500")
        photograph(page, live, "manage-webhooks-dead-letters")

        # …and replayed once the receiver is fixed.
        fixed.set()
        page.locator("section.webhook").get_by_role("button", name="Replay").click()
        expect(page.get_by_role("status")).to_contain_text("Queued again")
        relay.run()
        assert [r.type for r in receiver.accepted] == ["io.zmos.test.visit"]
        assert {r.content_type for r in receiver.log} == {BATCH}
        page.goto(f"{live.url}/manage/setup/webhooks")
        expect(page.locator("[data-dead]")).to_have_count(0)
        page.locator("section.webhook").get_by_role("button", name="Pause").click()
        expect(page.locator("section.webhook")).to_contain_text("Paused")
        context.close()
