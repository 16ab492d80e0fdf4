"""In a real Chromium: an owner creates a corporate account, adds a department, uploads a
roster with a dry run (one bad row), applies the good rows, and invites the company's
admin; the admin chooses a password from the mailed link, signs in on the console's page
and sees their own account only. Every page is photographed at both sizes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.integration.corporate_helpers import add_package, corporate_plan
from tests.integration.helpers import Api
from tests.integration.members_helpers import SmtpSink, smtp_server
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "corporate-console-gym"
OWNER, PASSWORD = f"owner@{SLUG}.example", "correct horse battery"
ADMIN, ADMIN_PASSWORD = "kofi@acme.example", "the acme admin password"
ROSTER = (
    "employee_id,work_email,first_name,last_name,department,status,package\n"
    "E1,ama@acme.example,Ama,Owusu,Finance,active,Gold\n"
    "E2,kojo@acme.example,Kojo,Mensah,Finance,suspended,Gold\n"
    "E3,efua@acme.example,Efua,Boateng,Marketing,active,Gold\n"
)


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSink, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def live_settings(smtp: tuple[SmtpSink, int]) -> dict[str, Any]:
    return {"smtp_host": "127.0.0.1", "smtp_port": smtp[1]}


def _signin(page: Any, live: Live, email: str, password: str) -> None:
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(SLUG)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")


def test_an_owner_sets_up_an_account_and_its_admin_sees_only_it(
    live: Live, browser: Browser, smtp: tuple[SmtpSink, int], tmp_path: Path
) -> None:
    sink = smtp[0]
    provider = open_provider(
        live,
        slug=SLUG,
        name="Corporate Console Gym",
        currency="GBP",
        owner=(OWNER, PASSWORD),
        location=("Harbour", "Europe/London"),
        member=(f"ama@{SLUG}.example", "member web password"),
    )
    # Another company of the same provider, which the admin must never see.
    other = httpx.post(
        f"{live.url}/corporate/accounts", json={"name": "Globex plc"}, headers=provider.owner
    )
    assert other.status_code == 201, other.text
    width, height = SIZES["desktop"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    _signin(page, live, OWNER, PASSWORD)
    page.wait_for_url(f"{live.url}/manage")
    page.get_by_role("link", name="Corporate").click()
    expect(page.get_by_role("heading", name="Corporate accounts")).to_be_visible()
    photograph(page, live, "corporate-accounts")

    # A bad email: the page again with the message, nothing made.
    page.get_by_label("Company name").fill("Acme Ltd")
    page.get_by_label("Contact person").fill("Hana Mensah")
    page.get_by_label("Tax number (VAT)").fill("GB123456789")
    page.get_by_label("PO reference for invoices").fill("PO-7781")
    page.get_by_role("button", name="Create the account").click()
    expect(page.get_by_role("heading", name="Acme Ltd")).to_be_visible()
    account_id = page.url.split("/manage/corporate/")[1].split("?")[0]

    page.locator("#department-name").fill("Finance")
    page.get_by_label("Cost centre").fill("CC-10")
    page.get_by_role("button", name="Add the department").click()
    expect(page.get_by_role("status")).to_contain_text("department is added")
    # The package comes from the corporate billing work; here straight to the database.
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as client:
        api = Api(client)  # type: ignore[arg-type]
        plan_id = corporate_plan(api, _tenant(provider))
    add_package(live.container, str(provider.tenant_id), account_id, plan_id)

    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    page.get_by_label("Roster file (CSV)").set_input_files(str(roster))
    page.get_by_label("Full roster: everyone not in the file ends").check()
    page.get_by_role("button", name="Check the file (dry run)").click()
    expect(page.get_by_role("heading", name="What this file would do")).to_be_visible()
    report = page.get_by_role("region", name="Roster report")
    expect(report).to_contain_text("unknown department 'Marketing'")
    photograph(page, live, "corporate-roster-dry-run")
    page.get_by_label("Apply the good rows and leave the rows with errors").check()
    page.get_by_role("button", name="Apply this file").click()
    expect(page.get_by_role("status")).to_contain_text("2 added, 0 changed, 0 ended")
    table = page.get_by_role("region", name="Employees on the roster")
    expect(table).to_contain_text("Ama Owusu")
    expect(table).not_to_contain_text("Efua")
    page.get_by_label("Status").select_option("suspended")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("region", name="Employees on the roster")).not_to_contain_text("Ama")

    page.get_by_label("Name", exact=True).fill("Kofi Admin")
    page.locator("#admin-email").fill(ADMIN)
    page.get_by_role("button", name="Invite the admin").click()
    expect(page.get_by_role("status")).to_contain_text("admin is invited")
    photograph(page, live, "corporate-account")
    page.get_by_role("button", name="Invite active employees who have not joined").click()
    expect(page.get_by_role("status")).to_contain_text("Invitations sent: 1")
    context.close()

    # Ama follows her invitation and accepts with a password of her own.
    invitation = sink.to("ama@acme.example")[-1].get_body(preferencelist=("plain",))
    assert invitation is not None
    joining = re.search(r"https?://\S+/app/corporate/join\?code=\S+", invitation.get_content())
    assert joining, invitation.get_content()
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(joining.group(0))
    expect(page.get_by_role("heading", name="Accept your invitation")).to_be_visible()
    photograph(page, live, "corporate-join")
    page.get_by_label("Choose a password").fill("ama's own password")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("status")).to_contain_text("covered by Acme Ltd")
    photograph(page, live, "corporate-joined")
    context.close()

    # The admin, in a browser of their own.
    mail = sink.to(ADMIN)[-1]
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    link = re.search(r"https?://\S+/manage/corporate/welcome\?code=\S+", body.get_content())
    assert link, body.get_content()
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    photograph(page, live, "corporate-welcome")
    page.get_by_label("New password").fill(ADMIN_PASSWORD)
    page.get_by_label("New password").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your password is set")
    _signin(page, live, ADMIN, ADMIN_PASSWORD)
    page.wait_for_url(f"{live.url}/manage/corporate/{account_id}")
    expect(page.get_by_role("heading", name="Acme Ltd")).to_be_visible()
    expect(page.get_by_role("navigation", name="Console")).to_have_text("Your company")
    expect(page.get_by_role("region", name="Employees on the roster")).to_contain_text("Ama Owusu")
    expect(page.get_by_role("heading", name="Admins")).to_have_count(0)
    photograph(page, live, "corporate-admin-view")
    # Their reports and invoices, by the account's tabs, with the keyboard.
    page.get_by_role("navigation", name="Corporate account").get_by_role(
        "link", name="Reports"
    ).press("Enter")
    page.wait_for_url(f"{live.url}/manage/corporate/{account_id}/reports")
    expect(page.get_by_role("heading", level=1)).to_contain_text("participation report")
    photograph(page, live, "corporate-admin-reports")
    page.get_by_role("navigation", name="Corporate account").get_by_role(
        "link", name="Invoices"
    ).press("Enter")
    page.wait_for_url(f"{live.url}/manage/corporate/{account_id}/invoices")
    expect(page.get_by_role("button", name="Issue the invoice")).to_have_count(0)
    photograph(page, live, "corporate-admin-invoices")
    # Nothing else: the other company is not found, the provider's pages not open.
    page.goto(f"{live.url}/manage/corporate/{other.json()['id']}")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    page.goto(f"{live.url}/manage/members")
    page.wait_for_url(re.compile(r".*/manage/signin.*"))
    context.close()


def _tenant(provider: Any) -> Any:
    from tests.integration.helpers import Tenant

    token = provider.owner["Authorization"].split(" ", 1)[1]
    return Tenant(SLUG, str(provider.tenant_id), "", token, "")
