"""In a real Chromium: an owner reads the delivery log in Set-up → Messages (messages
queued and sent by the real notice service to a real SMTP server on loopback, one refused
by it), pages and filters it, reads its times in the location's zone, and sends the failed
message again once the mailbox exists. The front desk may not open it; another tenant's
messages never appear, nor can they be sent again. And a webhook's delivery is switched
between one event per request and batches on its row: the next deliveries follow."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import delete, select

from server.bootstrap import outlets
from server.notices import rules
from server.notices import service as notices
from server.notices.models import Notice
from server.outbox.record import record
from server.web.formatting import Formats
from shared.quiet_hours import QuietHours
from tests.integration.outbox_helpers import event, relay_of
from tests.loopback.event_receiver import BATCH, STRUCTURED, event_receiver
from tests.loopback.smtp_refusing import RefusingSink, refusing_smtp
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import Provider, open_provider, photograph

SLUG, OTHER = "messages-browser-gym", "messages-other-gym"
OWNER, PASSWORD = "owner@messages-browser-gym.example", "correct horse battery"
DESK = "desk@messages-browser-gym.example"
GONE = "kofi@messages-browser-gym.example"
OTHER_GONE = "yaw@messages-other-gym.example"
ZONE = "Asia/Kolkata"
NEVER_QUIET = QuietHours(time(0), time(0))


@pytest.fixture
def refusing() -> Iterator[tuple[RefusingSink, int]]:
    with refusing_smtp(GONE, OTHER_GONE) as running:
        yield running


@pytest.fixture
def live_settings(refusing: tuple[RefusingSink, int]) -> dict[str, Any]:
    return {"smtp_host": "127.0.0.1", "smtp_port": refusing[1]}


def _provider(live: Live, slug: str, owner: str) -> Provider:
    return open_provider(
        live,
        slug=slug,
        name="Messages Gym",
        currency="INR",
        owner=(owner, PASSWORD),
        location=("Bandra Studio", ZONE),
        member=(f"ama@{slug}.example", "member web password"),
    )


def _member(provider: Provider, live: Live, first: str, last: str, email: str) -> str:
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url, headers=provider.owner) as api:
        made = api.post("/members", json={"first_name": first, "last_name": last, "email": email})
        assert made.status_code == 201, made.text
        member_id: str = made.json()["id"]
        return member_id


def _forget_setup_mail(live: Live, *providers: Provider) -> None:
    """Setting up (accounts, staff and members added) sends mail through the log, e.g. the
    members' invitations; the tests count only the messages they write."""
    with live.container.uow() as uow:
        uow.db.execute(delete(Notice).where(Notice.tenant_id.in_([p.tenant_id for p in providers])))
        uow.commit()


def _message(
    live: Live,
    provider: Provider,
    member_id: str,
    subject: str,
    kind: rules.Kind = rules.Kind.TRANSACTIONAL,
    quiet: QuietHours = NEVER_QUIET,
) -> None:
    with live.container.uow() as uow:
        notices.to_member(
            uow=uow,
            tenant_id=provider.tenant_id,
            member_id=uuid.UUID(member_id),
            kind=kind,
            topic="test.message",
            subject=subject,
            body="See you soon.",
            quiet=quiet,
        )
        uow.commit()


def _send(live: Live) -> int:
    container = live.container
    return notices.deliver(
        make_uow=container.uow, notifications=container.notifications, outlets=outlets(container)
    )


def _notice(live: Live, subject: str) -> Notice:
    with live.container.uow() as uow:
        return uow.db.execute(select(Notice).where(Notice.subject == subject)).scalar_one()


def _sign_in(page: Page, live: Live, slug: str, email: str) -> None:
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(slug)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(f"{live.url}/manage")


def _seed(live: Live) -> tuple[Provider, Provider]:
    mine = _provider(live, SLUG, OWNER)
    theirs = _provider(live, OTHER, "owner@messages-other-gym.example")
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url, headers=mine.owner) as api:
        desk = api.post(
            "/staff",
            json={"name": "Dede Desk", "email": DESK, "role": "front_desk", "password": PASSWORD},
        )
        assert desk.status_code == 201, desk.text
    kofi = _member(mine, live, "Kofi", "Boateng", GONE)
    yaw = _member(theirs, live, "Yaw", "Darko", OTHER_GONE)
    _forget_setup_mail(live, mine, theirs)
    for n in range(26):
        _message(live, mine, mine.member_id, f"Class reminder {n:02d}")
    _message(live, mine, kofi, "Your booking is confirmed")
    _message(live, theirs, yaw, "Other gym's private note")
    assert _send(live) == 26
    # Held: a reminder in the member's quiet hours (all day but the last minute).
    _message(
        live,
        mine,
        mine.member_id,
        "Tomorrow's class",
        rules.Kind.REMINDER,
        QuietHours(time(0), time(23, 59)),
    )
    return mine, theirs


def test_an_owner_reads_filters_and_sends_again_from_the_delivery_log(
    live: Live, browser: Browser, refusing: tuple[RefusingSink, int]
) -> None:
    sink = refusing[0]
    mine, theirs = _seed(live)
    width, height = SIZES["desktop"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    _sign_in(page, live, SLUG, OWNER)
    page.goto(f"{live.url}/manage/setup")
    page.get_by_role("link", name="Messages").click()
    page.wait_for_url(f"{live.url}/manage/setup/messages")
    rows = page.locator("[data-notice]")
    # 28 of the tenant's messages, newest first, 25 a page; never the other gym's.
    expect(rows).to_have_count(25)
    expect(page.locator("main")).not_to_contain_text("Other gym")
    held = rows.first
    expect(held).to_contain_text("Tomorrow's class")
    expect(held.locator(".tag")).to_have_text("Held")
    failed = page.locator('[data-state="failed"]')
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("Kofi Boateng")
    expect(failed).to_contain_text("550")
    # Times are the location's (Asia/Kolkata), as it writes them.
    notice = _notice(live, "Your booking is confirmed")
    fmt = Formats(timezone=ZONE)
    expect(failed.locator(".log-when")).to_have_text(fmt.datetime(notice.created_at))
    photograph(page, live, "manage-messages")
    page.get_by_role("link", name="Older").click()
    expect(rows).to_have_count(3)
    expect(rows.last).to_contain_text("Class reminder 00")
    page.get_by_role("link", name="Newer").click()
    expect(rows).to_have_count(25)

    # Narrowed: the failed ones; by a member's name; by days.
    page.get_by_label("State").select_option("failed")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    photograph(page, live, "manage-messages-failed")
    page.get_by_label("State").select_option("")
    page.get_by_label("Member or address").fill("boateng")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    page.get_by_label("Member or address").fill("")
    page.get_by_label("From").fill("2099-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No messages match.")).to_be_visible()
    page.goto(f"{live.url}/manage/setup/messages?from=2026-12-09&to=2026-12-01")
    expect(page.locator("#log-to-error")).to_have_text("The last day comes before the first.")
    page.goto(f"{live.url}/manage/setup/messages?state=failed")

    # The other gym's failed message cannot be sent again from here: not found, unchanged.
    csrf = page.locator('input[name="csrf"]').first.get_attribute("value")
    theirs_notice = _notice(live, "Other gym's private note")
    answer = page.request.post(
        f"{live.url}/manage/setup/messages/{theirs_notice.id}/retry",
        form={"csrf": csrf or "", "back": ""},
    )
    assert answer.status == 404
    assert _notice(live, "Other gym's private note").status == "failed"
    assert theirs.tenant_id != mine.tenant_id

    # The mailbox exists now: sent again, it arrives.
    sink.refused.discard(GONE)
    page.locator('[data-state="failed"]').get_by_role("button", name="Send again").click()
    expect(page.get_by_role("status")).to_contain_text("Queued again")
    expect(page.get_by_text("No messages match.")).to_be_visible()  # still filtered: failed
    assert page.get_by_label("State").input_value() == "failed"
    assert _send(live) == 1
    assert [m["Subject"] for m in sink.to(GONE)] == ["Your booking is confirmed"]
    # From the member's page: their messages.
    page.goto(f"{live.url}/manage/members/{notice.member_id}")
    page.get_by_role("link", name="Messages sent to them").click()
    page.wait_for_url(f"{live.url}/manage/setup/messages?member={notice.member_id}")
    expect(rows).to_have_count(1)
    expect(rows.locator(".tag")).to_have_text("Sent")
    # Sent: there is nothing to send again.
    expect(rows.get_by_role("button", name="Send again")).to_have_count(0)
    context.close()


def test_the_front_desk_cannot_open_the_messages(live: Live, browser: Browser) -> None:
    mine, _theirs = _seed(live)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    _sign_in(page, live, SLUG, DESK)
    page.goto(f"{live.url}/manage/members/{mine.member_id}")
    expect(page.get_by_role("heading", name="Ama Mensah")).to_be_visible()
    expect(page.get_by_role("link", name="Messages sent to them")).to_have_count(0)
    answer = page.goto(f"{live.url}/manage/setup/messages")
    assert answer is not None and answer.status == 403
    expect(page.locator("main")).not_to_contain_text("Your booking")
    expect(page.locator("[data-notice]")).to_have_count(0)
    context.close()


def test_a_webhook_is_switched_to_batches_and_back(live: Live, browser: Browser) -> None:
    provider = _provider(live, SLUG, OWNER)
    with event_receiver() as receiver, relay_of(live.container) as relay:
        with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url, headers=provider.owner) as api:
            made = api.post(
                "/webhooks/subscriptions", json={"url": receiver.url, "event_types": ["test.*"]}
            )
            assert made.status_code == 201, made.text
        receiver.secrets.append(made.json()["secret"])

        def deliver(n: int) -> None:
            with live.container.uow() as uow:
                record(
                    uow.db, [event(provider.tenant_id, "test.moved", None, n=i) for i in range(n)]
                )
                uow.commit()
            relay.run()

        deliver(2)
        assert [r.content_type for r in receiver.log] == [STRUCTURED, STRUCTURED]
        width, height = SIZES["desktop"]
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        _sign_in(page, live, SLUG, OWNER)
        page.goto(f"{live.url}/manage/setup/webhooks")
        hook = page.locator("section.webhook")
        expect(hook.locator("[data-content-mode]")).to_have_text("One event per request")
        # A mode the server does not know (a tampered form) is refused, said; unchanged.
        mode = hook.get_by_label("Delivery")
        mode.evaluate("s => { s.options[1].value = 'binary'; }")
        mode.select_option("binary")
        hook.get_by_role("button", name="Change delivery").click()
        expect(page.get_by_role("alert")).to_contain_text("content_mode")
        expect(hook.locator("[data-content-mode]")).to_have_text("One event per request")

        hook.get_by_label("Delivery").select_option("batch")
        hook.get_by_role("button", name="Change delivery").click()
        expect(page.get_by_role("status")).to_contain_text("Delivery changed")
        expect(hook.locator("[data-content-mode]")).to_have_text("In batches of up to 100 events")
        expect(hook.get_by_label("Delivery")).to_have_value("batch")
        photograph(page, live, "manage-webhooks-mode")
        deliver(3)
        assert [(r.content_type, len(r.ids)) for r in receiver.log[2:]] == [(BATCH, 3)]

        hook.get_by_label("Delivery").select_option("structured")
        hook.get_by_role("button", name="Change delivery").click()
        expect(hook.locator("[data-content-mode]")).to_have_text("One event per request")
        deliver(2)
        assert [r.content_type for r in receiver.log[3:]] == [STRUCTURED, STRUCTURED]
        assert len(receiver.accepted) == 7 and receiver.bad_signatures == 0
        context.close()
