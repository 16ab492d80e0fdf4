"""The console's corporate packages and invoices: a manager creates and changes a package
from the form (refused input shown again, nothing stored), ends it, issues March's invoice
and reads it with its lines and downloads; a coach is refused; another tenant's account is
not found (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from server.bootstrap import Container
from server.main import create_app
from tests.integration.corporate_billing_rows import (
    add_account,
    add_department,
    add_employee,
    add_member,
    add_plan,
)
from tests.integration.helpers import PASSWORD, Api
from tests.integration.web_helpers import csrf_of, post_form, staff_signs_in

SLUG = "web-corporate-gym"


@pytest.fixture
def browser(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        yield client


def test_a_manager_runs_packages_and_invoices(
    api: Api, container: Container, browser: TestClient
) -> None:
    tenant = api.sign_up(SLUG)
    api.create_location(tenant)
    plan_id = add_plan(api, tenant)
    account = add_account(container, tenant.id, "Acme Ltd")
    email = f"manager@{SLUG}.example"
    api.create_staff(tenant, "manager", email)
    assert staff_signs_in(browser, SLUG, email, PASSWORD).status_code == 303
    base = f"/manage/corporate/{account}"

    empty = browser.get(f"{base}/packages")
    assert empty.status_code == 200 and "No package yet." in empty.text
    # A fixed amount above the fee: the form again, with the message, nothing stored.
    form = {
        "name": "Gym access",
        f"plan_ids.{plan_id}": "on",
        "seats": "5",
        "seat_fee": "40.00",
        "split": "fixed",
        "company_amount": "45.00",
        "starts_on": "2026-01-01",
    }
    refused = post_form(browser, f"{base}/packages/new", f"{base}/packages/new", **form)
    assert refused.status_code == 422
    assert "more than the seat" in refused.text and 'value="Gym access"' in refused.text
    assert "No package yet." in browser.get(f"{base}/packages").text
    no_plan = {k: v for k, v in form.items() if not k.startswith("plan_ids")}
    refused = post_form(browser, f"{base}/packages/new", f"{base}/packages/new", **no_plan)
    assert refused.status_code == 422 and "at least one access plan" in refused.text

    made = post_form(
        browser, f"{base}/packages/new", f"{base}/packages/new", **{**form, "company_amount": "30"}
    )
    assert made.status_code == 303, made.text
    package_id = made.headers["location"].split("made=")[1]
    listed = browser.get(f"{base}/packages").text
    assert "Gym access" in listed and "£30.00" in listed and "£10.00" in listed

    page = f"{base}/packages/{package_id}"
    changed = post_form(
        browser,
        page,
        page,
        name="Gym and pool",
        **{f"plan_ids.{plan_id}": "on"},
        seats="",
        seat_fee="50.00",
        split="percentage",
        company_percent="50",
        company_amount="",
    )
    assert changed.status_code == 303, changed.text
    shown = browser.get(page).text
    # 50 % of 50.00: 25.00 each; no limit on seats.
    assert "Gym and pool" in shown and "£25.00" in shown and "no limit" in shown
    bad_end = post_form(browser, page, f"{page}/end", ends_on="2025-01-01")
    assert bad_end.status_code == 422 and "Before the package starts" in bad_end.text
    ended = post_form(browser, page, f"{page}/end", ends_on="2026-12-31")
    assert ended.status_code == 303

    member = add_member(api, tenant, "Ama", "Mensah")
    sales = add_department(container, tenant.id, account, "Sales", "CC-100")
    add_employee(
        container,
        tenant.id,
        account,
        ref="E1",
        package_id=package_id,
        member_id=member,
        department_id=sales,
        covered_until=date(2026, 12, 31),
    )
    invoices = f"{base}/invoices"
    bad = post_form(browser, invoices, invoices, month="March")
    assert bad.status_code == 422 and "Choose the month" in bad.text
    assert "No invoice" in bad.text
    issued = post_form(browser, invoices, invoices, month="2026-03")
    assert issued.status_code == 303
    invoice_page = browser.get(issued.headers["location"]).text
    # One seat in Sales at 50 % of 50.00: the company 25.00, the employee 25.00.
    assert "CC-100" in invoice_page and "CI-000001" in invoice_page
    assert "£25.00" in invoice_page and "Ama" in invoice_page
    again = post_form(browser, invoices, invoices, month="2026-03")
    assert again.headers["location"] == issued.headers["location"]
    by_month = browser.get(f"{invoices}?month=2026-03").text
    assert by_month.count("CI-000001") == 1
    for kind, start in (("pdf", b"%PDF"), ("csv", b"\xef\xbb\xbf"), ("xlsx", b"PK")):
        got = browser.get(f"{issued.headers['location']}/invoice.{kind}")
        assert got.status_code == 200 and got.content.startswith(start), kind


def test_others_are_refused_or_find_nothing(
    api: Api, container: Container, browser: TestClient
) -> None:
    tenant = api.sign_up(SLUG)
    other = api.sign_up("web-corporate-other")
    account = add_account(container, tenant.id)
    foreign = add_account(container, other.id)
    email = f"coach@{SLUG}.example"
    api.create_staff(tenant, "coach", email)
    assert staff_signs_in(browser, SLUG, email, PASSWORD).status_code == 303
    assert browser.get(f"/manage/corporate/{account}/packages").status_code == 403
    browser.cookies.clear()
    manager = f"manager@{SLUG}.example"
    api.create_staff(tenant, "manager", manager)
    assert staff_signs_in(browser, SLUG, manager, PASSWORD).status_code == 303
    for path in (
        "packages",
        "invoices",
        "packages/new",
        f"packages/{uuid.uuid4()}",
        f"invoices/{uuid.uuid4()}",
        "packages/not-an-id",
    ):
        assert browser.get(f"/manage/corporate/{foreign}/{path}").status_code == 404, path
    shown = browser.get(f"/manage/corporate/{account}/invoices")
    forged = browser.post(
        f"/manage/corporate/{foreign}/invoices",
        data={"csrf": csrf_of(shown.text), "month": "2026-03"},
        follow_redirects=False,
    )
    assert forged.status_code == 404
