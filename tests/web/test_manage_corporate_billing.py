"""In a real Chromium: a manager sets up a company's package from the console with the
keyboard (a fixed amount above the fee refused first), sees it with its seats, issues
March's invoice and reads it with its lines, usage and what the employees owe."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from playwright.sync_api import Browser, ConsoleMessage, expect

from tests.integration.corporate_billing_rows import (
    add_account,
    add_department,
    add_employee,
    add_visit,
)
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "corporate-browser-gym"
OWNER, PASSWORD = "owner@corporate-browser-gym.example", "correct horse battery"


def test_a_manager_sets_up_a_package_and_issues_an_invoice(live: Live, browser: Browser) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Harbour Gym",
        currency="GBP",
        owner=(OWNER, PASSWORD),
        location=("Harbour", "Europe/London"),
        member=("ama@corporate-browser-gym.example", "member web password"),
    )
    plan = {
        "name": "Corporate monthly",
        "kind": "recurring",
        "billing_period": "month",
        "price": "40.00",
        "currency": "GBP",
    }
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        made = api.post("/plans", json=plan, headers=provider.owner)
        assert made.status_code == 201, made.text
        members = [
            api.post(
                "/members", json={"first_name": f, "last_name": last}, headers=provider.owner
            ).json()["id"]
            for f, last in (("Kofi", "Boateng"), ("Efua", "Owusu"))
        ]
    tenant = str(provider.tenant_id)
    account = add_account(live.container, tenant, "Acme Logistics Ltd")
    sales = add_department(live.container, tenant, account, "Sales", "CC-100")
    ops = add_department(live.container, tenant, account, "Operations", "CC-200")

    width, height = SIZES["desktop"]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    refused: list[str] = []

    def _console(message: ConsoleMessage) -> None:
        if "status of 422" in message.text:
            return  # the refused form answers 422 on purpose
        if message.type == "error" or "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", _console)
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(SLUG)
    page.get_by_label("Email").fill(OWNER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/manage")
    page.goto(f"{live.url}/manage/corporate/{account}/packages")
    expect(page.get_by_text("No package yet.")).to_be_visible()
    page.get_by_role("link", name="New package").click()
    expect(page.get_by_role("heading", name="New package")).to_be_visible()

    page.get_by_label("Name").fill("Gym access")
    page.get_by_label("Corporate monthly").check()
    page.get_by_label("Seats").fill("25")
    page.get_by_label("Monthly fee per seat").fill("40.00")
    page.get_by_label("Who pays").select_option("fixed")
    page.get_by_label("Company's amount per seat").fill("45")
    page.get_by_label("Starts on").fill("2026-01-01")
    page.get_by_role("button", name="Create package").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#f-company_amount-error")).to_contain_text("more than the seat")
    photograph(page, live, "manage-corporate-package-refused")
    page.get_by_label("Company's amount per seat").fill("30")
    page.get_by_role("button", name="Create package").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/manage/corporate/{account}/packages?made=*")
    row = page.locator("table.corporate-packages tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Company £30.00, employee £10.00")
    package_id = row.get_attribute("data-id")
    assert package_id

    # Three employees activate; Kofi and Ama visit in March.
    ama, kofi, efua = provider.member_id, *members
    for ref, member, department in (("A-1", ama, sales), ("A-2", kofi, sales), ("A-3", efua, ops)):
        add_employee(
            live.container,
            tenant,
            account,
            ref=ref,
            package_id=package_id,
            member_id=member,
            department_id=department,
            first_name=ref,
        )
    for member, day in ((ama, 3), (ama, 10), (kofi, 17)):
        add_visit(
            live.container,
            tenant,
            member,
            provider.location_id,
            datetime(2026, 3, day, 8, tzinfo=UTC),
        )
    page.reload()
    expect(row).to_contain_text("22")  # 25 seats, 3 taken
    photograph(page, live, "manage-corporate-packages")
    row.get_by_role("link", name="Gym access").click()
    expect(page.get_by_role("heading", level=1, name="Gym access")).to_be_visible()
    photograph(page, live, "manage-corporate-package")

    page.get_by_role("link", name="Invoices").click()
    page.wait_for_url(f"{live.url}/manage/corporate/{account}/invoices")
    page.get_by_label("Month", exact=True).first.fill("2026-03")
    page.get_by_role("button", name="Issue the invoice").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/manage/corporate/{account}/invoices/*")
    expect(page.get_by_role("heading", level=1, name="Invoice CI-000001")).to_be_visible()
    # Sales: 2 seats × £30.00 = £60.00, 2 active, 3 visits; Operations: 1 × £30.00.
    lines = page.locator("table.corporate-lines tbody tr")
    expect(lines.nth(0)).to_contain_text("CC-100")
    expect(lines.nth(0)).to_contain_text("£60.00")
    expect(lines.nth(1)).to_contain_text("CC-200")
    expect(page.locator("[data-total]")).to_have_text("£90.00")
    expect(page.locator("table.corporate-owed tbody tr")).to_have_count(3)
    photograph(page, live, "manage-corporate-invoice")
    with page.expect_download() as pdf:
        page.get_by_role("link", name="PDF").click()
    assert pdf.value.suggested_filename == "invoice-CI-000001.pdf"
    page.get_by_role("link", name="Invoices").click()
    expect(page.locator("table.corporate-invoices tbody tr")).to_have_count(1)
    photograph(page, live, "manage-corporate-invoices")
    assert not refused, refused
