"""The console's import from another system: a bad upload or mapping is the page again with
its message (422, nothing started); another tenant's run is not found; front desk staff
and location-limited managers are refused; the run imports in the background."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from server.bootstrap import Container
from server.main import create_app
from server.members.models import Member
from tests.integration.helpers import PASSWORD, Api
from tests.integration.web_helpers import csrf_of, staff_signs_in

CSV = b"Client ID;Forename;Surname\nC1;Ama;Mensah\nC2;Kofi;Boateng\n"


@pytest.fixture
def browser(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        yield client


def _upload(browser: TestClient, **fields: str) -> object:
    token = csrf_of(browser.get("/manage/migration-in").text)
    return browser.post(
        "/manage/migration-in",
        data={"csrf": token, **fields},
        files={"file": ("export.csv", CSV, "text/csv")},
        follow_redirects=False,
    )


def _map(browser: TestClient, page: str, surname: str) -> Any:
    fields = {"map-0": "external_id", "map-1": "first_name", "map-2": surname}
    token = csrf_of(browser.get(page).text)
    return browser.post(
        page,
        data={"csrf": token, "date_format": "iso", "action": "import", **fields},
        follow_redirects=False,
    )


def test_upload_map_and_import_in_the_background(
    api: Api, container: Container, browser: TestClient
) -> None:
    tenant = api.sign_up("web-migration")
    api.create_location(tenant)
    other = api.sign_up("web-migration-other")
    assert staff_signs_in(browser, tenant.slug, f"owner@{tenant.slug}.example", PASSWORD)
    refused = _upload(browser, source_system="", entity="members", date_format="iso")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "must be 1 to 60 printable characters" in refused.text  # type: ignore[attr-defined]

    sent = _upload(browser, source_system="ClubSoft", entity="members", date_format="iso")
    assert sent.status_code == 303  # type: ignore[attr-defined]
    page = sent.headers["location"]  # type: ignore[attr-defined]
    shown = browser.get(page).text
    assert re.search(r'<option value="last_name" selected>', shown)

    # Surname left unmapped: the page again with the message, nothing started.
    bad = _map(browser, page, "")
    assert bad.status_code == 422 and "last_name" in bad.text
    done = _map(browser, page, "last_name")
    assert done.status_code == 303
    for _ in range(100):
        if 'data-count="created"' in (text := browser.get(page).text):
            break
        time.sleep(0.05)
    assert "<strong>2</strong> new" in text
    with container.uow() as uow:
        assert uow.db.execute(select(func.count()).select_from(Member)).scalar_one() == 2

    # Another tenant's owner does not find this run.
    browser.cookies.clear()
    assert staff_signs_in(browser, other.slug, f"owner@{other.slug}.example", PASSWORD)
    assert browser.get(page).status_code == 404
    assert browser.get(f"{page}/progress").status_code == 404


def test_front_desk_staff_are_refused(api: Api, browser: TestClient) -> None:
    tenant = api.sign_up("web-migration-desk")
    api.create_location(tenant)
    api.create_staff(tenant, "front_desk", "desk@web-migration-desk.example")
    assert staff_signs_in(browser, tenant.slug, "desk@web-migration-desk.example", PASSWORD)
    assert browser.get("/manage/migration-in").status_code == 403


def test_the_link_by_email_box_links_an_existing_member(
    api: Api, container: Container, browser: TestClient
) -> None:
    tenant = api.sign_up("web-migration-link")
    api.create_location(tenant)
    created = api.client.post(
        "/members",
        json={"first_name": "Old", "last_name": "Timer", "email": "ama@x.example"},
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    assert staff_signs_in(browser, tenant.slug, f"owner@{tenant.slug}.example", PASSWORD)
    token = csrf_of(browser.get("/manage/migration-in").text)
    sent = browser.post(
        "/manage/migration-in",
        data={
            "csrf": token,
            "source_system": "ClubSoft",
            "entity": "members",
            "date_format": "iso",
        },
        files={"file": ("export.csv", b"ID;First;Last;Mail\nC1;Ama;Mensah;ama@x.example\n")},
        follow_redirects=False,
    )
    page = sent.headers["location"]
    shown = browser.get(page).text
    assert 'name="link_existing_by_email"' in shown
    fields = {"map-0": "external_id", "map-1": "first_name", "map-2": "last_name", "map-3": "email"}
    done = browser.post(
        page,
        data={
            "csrf": csrf_of(shown),
            "date_format": "iso",
            "action": "import",
            "link_existing_by_email": "yes",
            **fields,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    for _ in range(100):
        if 'data-count="updated"' in (text := browser.get(page).text):
            break
        time.sleep(0.05)
    assert "linked to the existing member with this email" in text
    with container.uow() as uow:
        names = list(uow.db.execute(select(Member.first_name)).scalars())
    assert names == ["Old"]
