"""The console's corporate report page and the member app's Your employer page driven as a
browser does: a bad month is the page again with the message (422), another account or a
malformed id a 404 page, a front desk a 403; a consent of an unknown scope is refused with
nothing recorded (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from server.bootstrap import Container
from server.corporate.models import CorporateConsent, CorporateEmployee
from server.main import create_app
from shared.ids import new_id
from tests.integration.corporate_reports_helpers import add_employees, open_account
from tests.integration.helpers import PASSWORD, Api
from tests.integration.web_helpers import (
    csrf_of,
    member_signs_in,
    member_who_signs_in,
    staff_signs_in,
)

SLUG = "corp-pages"


@pytest.fixture
def browser(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        yield client


def test_the_report_page_and_its_refusals(
    api: Api, container: Container, browser: TestClient
) -> None:
    tenant = api.sign_up(SLUG)
    location = api.create_location(tenant)["id"]
    corp = open_account(container, tenant.id, "Acme", ["Sales"])
    add_employees(corp, 12, department="Sales", location_id=location)
    add_employees(corp, 2, department=None, location_id=location)
    staff_signs_in(browser, SLUG, f"owner@{SLUG}.example", PASSWORD)
    url = f"/manage/corporate/{corp.account_id}/reports"
    page = browser.get(url)
    assert page.status_code == 200, page.text
    assert "Acme: participation report" in page.text and "&lt;11" in page.text
    bad = browser.get(url, params={"from": "2026-13"})
    assert bad.status_code == 422 and "Choose a month" in bad.text
    backwards = browser.get(url, params={"from": "2026-11", "to": "2026-01"})
    assert backwards.status_code == 422 and "after its last" in backwards.text
    assert browser.get(f"/manage/corporate/{uuid.uuid4()}/reports").status_code == 404
    assert browser.get("/manage/corporate/not-an-id/reports").status_code == 404
    assert browser.get(url, params={"department": str(uuid.uuid4())}).status_code == 404
    api.create_staff(tenant, "front_desk", f"desk@{SLUG}.example")
    with TestClient(create_app(container=container), raise_server_exceptions=False) as desk:
        staff_signs_in(desk, SLUG, f"desk@{SLUG}.example", PASSWORD)
        assert desk.get(url).status_code == 403


def test_a_location_limited_manager_sees_their_location_on_the_page(
    api: Api, container: Container, browser: TestClient
) -> None:
    """No "All locations" for a manager of some locations: the page opens on theirs."""
    tenant = api.sign_up(SLUG)
    mine = api.create_location(tenant, name="Mine")["id"]
    other = api.create_location(tenant, name="Elsewhere")["id"]
    corp = open_account(container, tenant.id, "Acme", ["Sales"])
    add_employees(corp, 12, department="Sales", location_id=mine)
    add_employees(corp, 12, department="Sales", location_id=other)
    api.create_staff(tenant, "manager", f"both@{SLUG}.example", location_ids=[mine, other])
    staff_signs_in(browser, SLUG, f"both@{SLUG}.example", PASSWORD)
    page = browser.get(f"/manage/corporate/{corp.account_id}/reports")
    assert page.status_code == 200, page.text
    assert "All locations" not in page.text
    assert page.text.count(" selected>") >= 1 and "report-period" in page.text


def test_your_employer_page_gives_and_refuses(
    api: Api, container: Container, browser: TestClient
) -> None:
    tenant = api.sign_up(SLUG)
    corp = open_account(container, tenant.id, "Acme", ["Sales"])
    member: dict[str, Any] = member_who_signs_in(api, container, tenant, f"ama@{SLUG}.example")
    member_signs_in(browser, SLUG, f"ama@{SLUG}.example")
    page = browser.get("/app/account/employer")
    assert page.status_code == 200 and "nothing to share" in page.text
    with container.uow() as uow:
        uow.db.add(
            CorporateEmployee(
                tenant_id=corp.tenant_id,
                id=new_id(),
                account_id=corp.account_id,
                employee_ref="AMA",
                department_id=corp.departments["Sales"],
                status="active",
                member_id=uuid.UUID(member["id"]),
            )
        )
        uow.commit()
    page = browser.get("/app/account/employer")
    csrf = csrf_of(page.text)
    refused = browser.post("/app/account/employer/consents", data={"csrf": csrf, "scope": "health"})
    assert refused.status_code == 422 and "scope is one of" in refused.text.lower()
    with container.uow() as uow:
        assert uow.db.execute(select(CorporateConsent)).first() is None
    given = browser.post(
        "/app/account/employer/consents",
        data={"csrf": csrf, "scope": "journeys"},
        follow_redirects=False,
    )
    assert given.status_code == 303
    assert "Shared" in browser.get("/app/account/employer").text
    revoked = browser.post(
        "/app/account/employer/consents/revoke",
        data={"csrf": csrf, "scope": "journeys"},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert "Earlier consents" in browser.get("/app/account/employer").text
