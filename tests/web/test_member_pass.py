"""In a real Chromium: a member signs in on the phone, opens My pass, and the pass still
opens with the network cut (the service worker's copy); a manager signs in to the console.
Every page is photographed at a desktop and a phone size, and nothing overflows sideways."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError
from pyzbar.pyzbar import decode

from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "browser-gym"
OWNER, OWNER_PASSWORD = "owner@browser-gym.example", "correct horse battery"
MEMBER, MEMBER_PASSWORD = "ama@browser-gym.example", "member web password"


def _provider(live: Live) -> dict[str, str]:
    """A provider with a location and a member who can sign in; the owner's API headers."""
    return open_provider(
        live,
        slug=SLUG,
        name="Browser Gym",
        currency="GHS",
        owner=(OWNER, OWNER_PASSWORD),
        location=("Osu Studio", "Africa/Accra"),
        member=(MEMBER, MEMBER_PASSWORD),
    ).owner


def _qr_text(page: Page) -> str:
    found = decode(Image.open(io.BytesIO(page.locator("img.qr").screenshot())))
    assert found, "no QR code readable on the page"
    text: str = found[0].data.decode()
    return text


def test_a_member_opens_the_pass_offline(live: Live, browser: Browser) -> None:
    _provider(live)
    width, height = SIZES["phone"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live.url}/app/{SLUG}/signin")
    photograph(page, live, "app-signin")
    # Keyboard only: type, tab, press Enter.
    page.get_by_label("Email").fill(MEMBER)
    page.keyboard.press("Tab")
    page.keyboard.type(MEMBER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/pass")
    expect(page.get_by_role("heading", name="Ama Mensah")).to_be_visible()
    token = _qr_text(page)
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        # The page's code is the member's current pass, as the API gives it.
        login = api.post(
            "/members/login",
            json={"tenant": SLUG, "email": MEMBER, "password": MEMBER_PASSWORD},
        )
        bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
        assert api.get("/me/pass", headers=bearer).json()["token"] == token
    photograph(page, live, "app-pass")
    # Once the service worker controls the page, a visit saves the pass.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.reload()
    page.wait_for_function("caches.has('zmos-app')")
    page.wait_for_function("caches.open('zmos-app').then(c => c.match('/app/pass')).then(r => !!r)")
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Ama Mensah")).to_be_visible()
    assert _qr_text(page) == token
    expect(page.locator("#offline-note")).to_be_visible()
    photograph(page, live, "app-pass-offline")
    # Signing out (online) forgets the saved pass on this phone.
    context.set_offline(False)
    page.reload()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()
    photograph(page, live, "app-signed-out")
    page.wait_for_function("caches.has('zmos-app').then(has => !has)")
    context.set_offline(True)
    # With nothing saved and no network, the page fails to load: there is no pass to show.
    with pytest.raises(PlaywrightError, match=r"ERR_FAILED|ERR_INTERNET_DISCONNECTED"):
        page.goto(f"{live.url}/app/pass")
    assert page.locator("img.qr").count() == 0
    context.close()


def test_a_manager_signs_in_to_the_console(live: Live, browser: Browser) -> None:
    _provider(live)
    width, height = SIZES["desktop"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live.url}/manage")
    page.wait_for_url(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(SLUG)
    page.get_by_label("Email").fill(OWNER)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("email or password")
    photograph(page, live, "manage-signin-refused")
    page.get_by_label("Password").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/manage")
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    expect(page.get_by_role("heading", name="Osu Studio")).to_be_visible()
    photograph(page, live, "manage-today")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live.url}/manage/signin")
    page.goto(f"{live.url}/manage")
    page.wait_for_url(f"{live.url}/manage/signin")
    context.close()


def test_the_pass_first_shown_after_signing_in_is_kept_for_the_door(
    live: Live, browser: Browser
) -> None:
    """A member signs in (the pass opens before the service worker runs), moves to another
    page and never opens the pass online again: at the door, offline, it still opens."""
    _provider(live)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live.url}/app/{SLUG}/signin")
    page.get_by_label("Email").fill(MEMBER)
    page.get_by_label("Password").fill(MEMBER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/pass")
    token = _qr_text(page)
    page.goto(f"{live.url}/app/account")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function(
        "caches.open('zmos-app').then(c => c.match('/app/pass')).then(r => !!r)", timeout=5000
    )
    context.set_offline(True)
    page.goto(f"{live.url}/app/pass")
    expect(page.get_by_role("heading", name="Ama Mensah")).to_be_visible()
    assert _qr_text(page) == token
    context.close()
