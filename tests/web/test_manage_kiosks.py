"""In a real Chromium: a manager has Today open while the location's kiosks sync. Each shows
its pending count as it reports it with its pulls, and a kiosk that stops turns offline,
without a reload."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import httpx
from playwright.sync_api import Browser, expect
from sqlalchemy import update

from server.devices.models import Device
from shared.clock import utcnow
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "kiosks-browser-gym"
OWNER, PASSWORD = "owner@kiosks-browser-gym.example", "correct horse battery"


def _kiosk(
    api: httpx.Client, location_id: str, owner: dict[str, str], name: str
) -> tuple[str, dict[str, str]]:
    """An enrolled kiosk's id and the headers of its token."""
    code = api.post(f"/locations/{location_id}/enrolment-codes", json={}, headers=owner)
    assert code.status_code == 201, code.text
    kiosk = api.post("/devices/enrol", json={"code": code.json()["code"], "name": name})
    assert kiosk.status_code == 201, kiosk.text
    token = api.post(
        "/devices/token", json={k: kiosk.json()[k] for k in ("device_id", "device_secret")}
    )
    assert token.status_code == 200, token.text
    return kiosk.json()["device_id"], {"Authorization": f"Bearer {token.json()['access_token']}"}


def _pull(api: httpx.Client, kiosk: dict[str, str], **report: float) -> None:
    pulled = api.get("/sync/pull", params={"cursor": 0, **report}, headers=kiosk)
    assert pulled.status_code == 200, pulled.text


def test_today_shows_the_kiosks_pending_counts_and_a_stopped_kiosk(
    live: Live, browser: Browser
) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Kiosks Gym",
        currency="USD",
        owner=(OWNER, PASSWORD),
        location=("Brooklyn Loft", "America/New_York"),
        member=("ama@kiosks-browser-gym.example", "member web password"),
    )
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        made = api.patch(
            f"/locations/{provider.location_id}", json={"locale": "en_US"}, headers=provider.owner
        )
        assert made.status_code == 200, made.text
        front_id, front = _kiosk(api, provider.location_id, provider.owner, "Front desk")
        studio_id, studio = _kiosk(api, provider.location_id, provider.owner, "Studio door")
        _pull(api, front, pending=0)
        _pull(api, studio, pending=0)

        width, height = SIZES["desktop"]
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(f"{live.url}/manage/signin")
        page.get_by_label("Gym or studio (short name)").fill(SLUG)
        page.get_by_label("Email").fill(OWNER)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Password").press("Enter")
        page.wait_for_url(f"{live.url}/manage")
        front_line = page.locator('li[data-kiosk="Front desk"]')
        studio_line = page.locator('li[data-kiosk="Studio door"]')
        expect(front_line).to_contain_text("Online")
        expect(front_line.locator('[data-figure="pending"]')).to_have_text("nothing pending")
        navigations: list[str] = []
        page.on("framenavigated", lambda frame: navigations.append(frame.url))

        # The front desk lost its connection for a while: seven check-ins wait to be sent.
        _pull(api, front, pending=7, oldest_pending_s=25 * 60)
        expect(front_line.locator('[data-figure="pending"]')).to_contain_text(
            "7 pending since", timeout=3000
        )
        # Written the location's way: a 12-hour time in New York.
        expect(front_line.locator('[data-figure="pending"]')).to_have_text(
            re.compile(r"7 pending since \d{1,2}:\d\d\s[AP]M")
        )
        # The studio door's kiosk stopped three minutes ago.
        with live.container.uow() as uow:
            uow.db.execute(
                update(Device).where(Device.id == uuid.UUID(front_id)).values(last_seen_at=utcnow())
            )
            uow.db.execute(
                update(Device)
                .where(Device.id == uuid.UUID(studio_id))
                .values(last_seen_at=utcnow() - timedelta(minutes=3))
            )
            uow.commit()
        expect(studio_line).to_contain_text("Offline", timeout=3000)
        expect(front_line).to_contain_text("Online")
        assert navigations == [], "the page reloaded"
        photograph(page, live, "manage-today-kiosks")

        # Back online, it sends them: nothing pending.
        _pull(api, front, pending=0)
        expect(front_line.locator('[data-figure="pending"]')).to_have_text(
            "nothing pending", timeout=3000
        )
        context.close()
