"""In a real Chromium: a front-desk user finds a member by typing part of the name, opens the
profile, sells a membership and issues a pass whose QR code shows; an owner imports a CSV
file and watches the report appear."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import Provider, open_provider, photograph

SLUG = "members-browser-gym"
OWNER, PASSWORD = "owner@members-browser-gym.example", "correct horse battery"
DESK = "desk@members-browser-gym.example"
MEMBER, MEMBER_PASSWORD = "ama@members-browser-gym.example", "member web password"


def _provider(live: Live) -> Provider:
    """A provider with a class pack on sale, a front-desk account and a few members."""
    provider = open_provider(
        live,
        slug=SLUG,
        name="Members Gym",
        currency="GBP",
        owner=(OWNER, PASSWORD),
        location=("Osu Studio", "Africa/Accra"),
        member=(MEMBER, MEMBER_PASSWORD),
    )
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url, headers=provider.owner) as api:
        plan = api.post(
            "/plans",
            json={
                "name": "10 classes",
                "kind": "class_pack",
                "credits": 10,
                "validity_days": 90,
                "price": "80.00",
                "currency": "GBP",
            },
        )
        assert plan.status_code == 201, plan.text
        desk = api.post(
            "/staff",
            json={"name": "Dede Desk", "email": DESK, "role": "front_desk", "password": PASSWORD},
        )
        assert desk.status_code == 201, desk.text
        for first, last in (("Kwame", "Mensah-Bonsu"), ("Efua", "Ansah"), ("Yaw", "Darko")):
            made = api.post(
                "/members",
                json={"first_name": first, "last_name": last, "phone": "+233201234567"},
            )
            assert made.status_code == 201, made.text
    return provider


def _png() -> bytes:
    """A small portrait-like picture: a face-coloured disc on a blue ground."""
    image = Image.new("RGB", (240, 240), (40, 90, 150))
    ImageDraw.Draw(image).ellipse((50, 30, 190, 200), fill=(200, 150, 110))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _sign_in(page: Page, live: Live, email: str) -> None:
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(SLUG)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/manage")


def test_the_desk_finds_a_member_sells_a_plan_and_issues_a_pass(
    live: Live, browser: Browser
) -> None:
    provider = _provider(live)
    width, height = SIZES["desktop"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    _sign_in(page, live, DESK)
    page.get_by_role("link", name="Members").click()
    page.wait_for_url(f"{live.url}/manage/members")
    search = page.get_by_label("Find a member")
    search.press_sequentially("mens", delay=40)
    # The results follow the typing, with no button pressed and no page load.
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Mensah, Ama")).to_be_visible()
    expect(results.get_by_role("link", name="Mensah-Bonsu, Kwame")).to_be_visible()
    expect(results.get_by_role("link", name="Ansah, Efua")).to_have_count(0)
    assert page.url == f"{live.url}/manage/members"
    photograph(page, live, "manage-members-search")
    results.get_by_role("link", name="Mensah, Ama").click()
    page.wait_for_url(f"{live.url}/manage/members/{provider.member_id}")
    expect(page.get_by_role("heading", name="Ama Mensah")).to_be_visible()

    sell = page.locator("#sell")
    sell.get_by_label("Plan").select_option(label="10 classes — £80.00")
    sell.get_by_label("Discount", exact=True).fill("10")
    sell.get_by_label("Reason for the discount").fill("opening week")
    sell.get_by_label("Cash").check()
    sell.get_by_role("button", name="Sell").click()
    memberships = page.locator("#memberships")
    expect(memberships).to_contain_text("10 classes")
    expect(memberships.locator('[data-figure="credits"]')).to_have_text("10")
    expect(memberships.locator(".tag")).to_have_text("Active")

    page.get_by_role("button", name="Issue a pass").click()
    qr = page.get_by_role("img", name="QR pass of Ama Mensah", exact=False)
    expect(qr).to_be_visible()
    natural: int = qr.evaluate("img => img.naturalWidth")
    assert natural > 100, "the QR image did not load"
    photo_field = page.get_by_label("PNG or JPEG, at most 2 MB")
    photo_field.set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a photo"}
    )
    page.get_by_role("button", name="Upload the photo").click()
    expect(page.locator("#photo-error")).to_have_text("The photo must be a PNG or JPEG image.")
    photo_field = page.get_by_label("PNG or JPEG, at most 2 MB")
    photo_field.set_input_files({"name": "ama.png", "mimeType": "image/png", "buffer": _png()})
    page.get_by_role("button", name="Upload the photo").click()
    expect(page.get_by_role("img", name="Photo of Ama Mensah")).to_be_visible()
    page.locator("#alert-text").fill("waiver missing")
    page.get_by_role("button", name="Add the note").click()
    expect(page.locator(".member-alerts")).to_contain_text("waiver missing")
    photograph(page, live, "manage-members-profile")
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url, headers=provider.owner) as api:
        sales = api.get("/sales", params={"member_id": provider.member_id}).json()["items"]
    assert [(s["amount"], s["discount_amount"], s["method"]) for s in sales] == [
        ("70.00", "10.00", "cash")
    ]
    context.close()


def test_an_owner_imports_a_csv_file_and_watches_the_report(
    live: Live, browser: Browser, tmp_path: Path
) -> None:
    _provider(live)
    csv = tmp_path / "new-members.csv"
    csv.write_text(
        "first_name,last_name,email,date_of_birth\n"
        "Abena,Asante,abena@example.com,1990-04-01\n"
        "Kojo,Appiah,not-an-email,1985-01-01\n"
        "Akosua,Boakye,akosua@example.com,\n"
        ",Quaye,quaye@example.com,\n",
        encoding="utf-8",
    )
    width, height = SIZES["desktop"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    _sign_in(page, live, OWNER)
    page.goto(f"{live.url}/manage/members")
    page.get_by_role("link", name="Import a CSV file").click()
    photograph(page, live, "manage-members-import")
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(f"{live.url}/manage/members/import/*")
    expect(page.locator("progress")).to_be_visible()
    report = page.locator(".import-job[data-stage='done']")
    expect(report).to_be_visible(timeout=10_000)
    expect(report.locator('[data-figure="created"]')).to_have_text("2")
    expect(report.locator("tr[data-line]")).to_have_count(2)
    expect(report.locator("tr[data-line='3']")).to_contain_text("email")
    expect(report.locator("tr[data-line='5']")).to_contain_text("first_name")
    photograph(page, live, "manage-members-import-report")
    page.goto(f"{live.url}/manage/members?q=Boakye")
    expect(page.get_by_role("link", name="Boakye, Akosua")).to_be_visible()
    context.close()
