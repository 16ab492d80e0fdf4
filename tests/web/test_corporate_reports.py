"""In a real Chromium: an employee lets their employer see their participation (Account →
Your employer, with the keyboard); the owner reads the company's report in the console,
filters it by department and sees small groups hidden with the reason."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from playwright.sync_api import Browser, expect

from server.corporate.models import CorporateEmployee
from shared.clock import utcnow
from shared.ids import new_id
from tests.integration.corporate_reports_helpers import add_employees, open_account
from tests.web.conftest import SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "corp-web-gym"
OWNER, OWNER_PASSWORD = "owner@corp-web-gym.example", "correct horse battery"
MEMBER, MEMBER_PASSWORD = "ama@corp-web-gym.example", "member web password"


def test_an_employee_consents_and_the_owner_reads_the_protected_report(
    live: Live, browser: Browser
) -> None:
    provider = open_provider(
        live,
        slug=SLUG,
        name="Corp Web Gym",
        currency="GBP",
        owner=(OWNER, OWNER_PASSWORD),
        location=("Soho Studio", "Europe/London"),
        member=(MEMBER, MEMBER_PASSWORD),
    )
    corp = open_account(live.container, str(provider.tenant_id), "Acme Ltd", ["Sales", "Finance"])
    last_month = date.today().replace(day=1) - timedelta(days=20)
    days = [last_month, last_month + timedelta(days=7)]
    add_employees(corp, 14, department="Sales", location_id=provider.location_id, active_in=days)
    add_employees(corp, 4, department="Sales", location_id=provider.location_id)
    add_employees(corp, 3, department="Finance", location_id=provider.location_id, active_in=days)
    add_employees(corp, 12, department="Finance", location_id=None, active_in=days)
    with live.container.uow() as uow:
        uow.db.add(
            CorporateEmployee(
                tenant_id=provider.tenant_id,
                id=new_id(),
                account_id=corp.account_id,
                employee_ref="AMA-1",
                first_name="Ama",
                last_name="Mensah",
                department_id=corp.departments["Sales"],
                location_id=uuid.UUID(provider.location_id),
                status="active",
                member_id=uuid.UUID(provider.member_id),
                activated_at=utcnow() - timedelta(days=90),
            )
        )
        uow.commit()

    width, height = SIZES["phone"]
    member = browser.new_context(viewport={"width": width, "height": height})
    page = member.new_page()
    page.goto(f"{live.url}/app/{SLUG}/signin")
    page.get_by_label("Email").fill(MEMBER)
    page.get_by_label("Password").fill(MEMBER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/pass")
    page.goto(f"{live.url}/app/account")
    page.get_by_role("link", name="Your employer").click()
    page.wait_for_url(f"{live.url}/app/account/employer")
    expect(page.get_by_text("Acme Ltd")).to_be_visible()
    share = page.get_by_role("button", name="Share this with my employer (participation)")
    share.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/app/account/employer?done=given")
    expect(page.get_by_role("status")).to_contain_text("your consent is recorded")
    expect(page.get_by_text("Shared", exact=True)).to_be_visible()
    photograph(page, live, "app-account-employer")

    desk = browser.new_context(
        viewport={"width": SIZES["desktop"][0], "height": SIZES["desktop"][1]}
    )
    console = desk.new_page()
    console.goto(f"{live.url}/manage/signin")
    console.get_by_label("Gym or studio (short name)").fill(SLUG)
    console.get_by_label("Email").fill(OWNER)
    console.get_by_label("Password").fill(OWNER_PASSWORD)
    console.get_by_role("button", name="Sign in").click()
    console.wait_for_url(f"{live.url}/manage")
    console.goto(f"{live.url}/manage/corporate/{corp.account_id}/reports")
    expect(console.get_by_role("heading", name="Acme Ltd: participation report")).to_be_visible()
    # Finance at Soho is 3 people: shown as "<11", never as 3.
    expect(console.get_by_text("<11").first).to_be_visible()
    photograph(console, live, "manage-corporate-report")
    console.get_by_label("Department", exact=True).select_option(label="Finance")
    console.get_by_role("button", name="Show").click()
    expect(console.get_by_role("row", name="Finance").first).to_be_visible()
    photograph(console, live, "manage-corporate-report-finance")
