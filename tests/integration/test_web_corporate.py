"""The console's corporate pages through the browser's path (forms, cookies): refusals are
pages with the message and change nothing; a company's admin signs in on the console's
page, lands on their account and reaches nothing else (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from server.bootstrap import Container
from server.config import Settings
from server.main import create_app
from tests.integration.corporate_helpers import code_in, corporate_world
from tests.integration.helpers import PASSWORD, Api
from tests.integration.members_helpers import SmtpSink, mailing_to
from tests.integration.web_helpers import csrf_of, post_form, staff_signs_in

ADMIN, ADMIN_PASSWORD = "kofi@acme.example", "a long admin password"


@pytest.fixture
def settings(settings: Settings, smtp: tuple[SmtpSink, int]) -> Settings:
    return mailing_to(settings, smtp)


def _browser(container: Container) -> TestClient:
    return TestClient(create_app(container=container), raise_server_exceptions=False)


def test_bad_account_forms_are_the_page_again_and_change_nothing(
    api: Api, container: Container
) -> None:
    tenant = api.sign_up("web-corp")
    with _browser(container) as browser:
        assert (
            staff_signs_in(
                browser, tenant.slug, f"owner@{tenant.slug}.example", PASSWORD
            ).status_code
            == 303
        )
        bad = post_form(
            browser, "/manage/corporate", "/manage/corporate", name="Acme", contact_email="nope"
        )
        assert bad.status_code == 422 and "not an email address" in bad.text
        made = post_form(browser, "/manage/corporate", "/manage/corporate", name="Acme")
        assert made.status_code == 303
        again = post_form(browser, "/manage/corporate", "/manage/corporate", name="ACME")
        assert again.status_code == 409 and "already has this name" in again.text
        listed = api.client.get("/corporate/accounts", headers=tenant.headers).json()
        assert [a["name"] for a in listed["items"]] == ["Acme"]
        missing = browser.get("/manage/corporate/not-an-id")
        assert missing.status_code == 404


def test_front_desk_staff_are_refused_the_section(api: Api, container: Container) -> None:
    tenant = api.sign_up("web-corp-desk")
    location = api.create_location(tenant)
    api.create_staff(
        tenant, "front_desk", "desk@web-corp-desk.example", home_location_id=location["id"]
    )
    with _browser(container) as browser:
        staff_signs_in(browser, tenant.slug, "desk@web-corp-desk.example", PASSWORD)
        assert browser.get("/manage/corporate").status_code == 403
        assert 'href="/manage/corporate"' not in browser.get("/manage").text


def test_a_roster_dry_run_on_the_page_changes_nothing(api: Api, container: Container) -> None:
    tenant = api.sign_up("web-corp-roster")
    acme = corporate_world(api, container, tenant)
    page = f"/manage/corporate/{acme['account_id']}"
    with _browser(container) as browser:
        staff_signs_in(browser, tenant.slug, f"owner@{tenant.slug}.example", PASSWORD)
        csrf = csrf_of(browser.get(page).text)
        text = "employee_id,department\nE1,Finance\nE2,Marketing\n"
        for action, status in (("check", 200), ("apply", 422)):
            sent = browser.post(
                f"{page}/roster",
                data={"csrf": csrf, "mode": "delta", "action": action},
                files={"file": ("roster.csv", text.encode(), "text/csv")},
                follow_redirects=False,
            )
            assert sent.status_code == status, sent.text
            assert "unknown department &#39;Marketing&#39;" in sent.text
        employees = api.client.get(
            f"/corporate/accounts/{acme['account_id']}/employees", headers=tenant.headers
        ).json()
        assert employees["total"] == 0


def test_an_admin_signs_in_on_the_console_page_and_sees_their_account_only(
    api: Api, container: Container, mailbox: SmtpSink
) -> None:
    tenant = api.sign_up("web-corp-admin")
    acme = corporate_world(api, container, tenant)
    globex = corporate_world(api, container, tenant, name="Globex plc")
    invited = api.client.post(
        f"/corporate/accounts/{acme['account_id']}/admins",
        json={"email": ADMIN, "full_name": "Kofi"},
        headers=tenant.headers,
    )
    code = code_in(mailbox.to(ADMIN)[-1], "cpw")
    with _browser(container) as browser:
        welcome = f"/manage/corporate/welcome?code={code}"
        short = post_form(
            browser, welcome, "/manage/corporate/welcome", code=code, password="short"
        )
        assert short.status_code == 422
        done = post_form(
            browser, welcome, "/manage/corporate/welcome", code=code, password=ADMIN_PASSWORD
        )
        assert done.status_code == 200 and "Your password is set" in done.text
        signed = staff_signs_in(browser, tenant.slug, ADMIN, ADMIN_PASSWORD)
        assert signed.status_code == 303
        assert signed.headers["location"] == "/manage/corporate/home"
        home = browser.get("/manage/corporate/home", follow_redirects=False)
        assert home.headers["location"] == f"/manage/corporate/{acme['account_id']}"
        own = browser.get(home.headers["location"])
        assert own.status_code == 200 and "Acme Ltd" in own.text
        assert "Invite the admin" not in own.text and 'href="/manage/members"' not in own.text
        assert browser.get(f"/manage/corporate/{globex['account_id']}").status_code == 404
        # Their packages, invoices and reports: read under their own bar, nothing to change,
        # and never who owes what; another account's are not found.
        invoice = api.client.post(
            f"/corporate/accounts/{acme['account_id']}/invoices",
            json={"month": "2026-01"},
            headers=tenant.headers,
        )
        assert invoice.status_code == 200, invoice.text
        pages = {
            "packages": "New package",
            "invoices": "Issue the invoice",
            f"invoices/{invoice.json()['id']}": "What employees owe",
            "reports": "Invite the admin",
        }
        for page, absent in pages.items():
            mine = browser.get(f"/manage/corporate/{acme['account_id']}/{page}")
            assert mine.status_code == 200, (page, mine.text[:300])
            assert "Your company" in mine.text and absent not in mine.text, page
            assert 'href="/manage/members"' not in mine.text, page
            theirs = browser.get(f"/manage/corporate/{globex['account_id']}/{page}")
            assert theirs.status_code == 404, page
        # The provider's pages ask for a staff sign-in.
        for page in ("/manage", "/manage/members", "/manage/corporate"):
            response = browser.get(page, follow_redirects=False)
            assert response.status_code in (303, 307), page
            assert "/manage/signin" in response.headers["location"]
        # Deactivated: the next page asks for a sign-in again.
        api.client.post(
            f"/corporate/accounts/{acme['account_id']}/admins/{invited.json()['id']}/deactivate",
            headers=tenant.headers,
        )
        after = browser.get(f"/manage/corporate/{acme['account_id']}", follow_redirects=False)
        assert after.status_code in (303, 307)


def test_an_address_that_is_staff_too_signs_in_as_staff(
    api: Api, container: Container, mailbox: SmtpSink
) -> None:
    tenant = api.sign_up("web-corp-both")
    acme = corporate_world(api, container, tenant)
    owner = f"owner@{tenant.slug}.example"
    invited = api.client.post(
        f"/corporate/accounts/{acme['account_id']}/admins",
        json={"email": owner, "full_name": "Olu"},
        headers=tenant.headers,
    )
    assert invited.status_code == 201
    with _browser(container) as browser:
        signed = staff_signs_in(browser, tenant.slug, owner, PASSWORD)
        assert signed.status_code == 303 and signed.headers["location"] == "/manage"
