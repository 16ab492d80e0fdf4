"""The privacy pages (SQLite and PostgreSQL): the member app's Your data (an empty
correction request is the page again, 422, nothing logged); the console's Privacy page (a
front desk may not open it; a manager sees no erase form and is refused one; an owner's
unconfirmed erasure is the page again, 422, nothing changed; a second erasure, 409;
another tenant's member, 404)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from server.bootstrap import Container
from server.main import create_app
from server.members.models import Member
from server.privacy.models import PrivacyRequest
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import PASSWORD, Api
from tests.integration.web_helpers import (
    csrf_of,
    member_signs_in,
    member_who_signs_in,
    post_form,
    staff_signs_in,
)

SLUG = "privacy-pages"
OWNER = f"owner@{SLUG}.example"
DESK = f"desk@{SLUG}.example"
MANAGER = f"manager@{SLUG}.example"
AMA = f"ama@{SLUG}.example"


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, SLUG)


@pytest.fixture
def browser(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        yield client


def _requests(container: Container) -> int:
    with container.uow() as uow:
        return int(uow.db.scalar(select(func.count()).select_from(PrivacyRequest)) or 0)


def _member(container: Container, member_id: str) -> tuple[str, str | None]:
    with container.uow() as uow:
        row = uow.db.execute(select(Member).where(Member.id == uuid.UUID(member_id))).scalar_one()
        return (row.first_name, row.email)


def test_the_member_downloads_and_asks(studio: Studio, browser: TestClient) -> None:
    container = studio.container
    member_who_signs_in(studio.api, container, studio.desk.tenant, AMA)
    assert member_signs_in(browser, SLUG, AMA).status_code == 303
    page = "/app/account/data"
    refused = post_form(browser, page, f"{page}/corrections", details="   ")
    assert refused.status_code == 422
    assert "Say what is wrong" in refused.text
    assert _requests(container) == 0
    shown = browser.get(page)
    download = browser.post(f"{page}/export", data={"csrf": csrf_of(shown.text)})
    assert download.status_code == 200
    assert download.json()["tables"]["members"][0]["email"] == AMA
    # The sign-in just made is there, without its secret.
    [signin] = download.json()["tables"]["refresh_tokens"]
    assert signin["expires_at"] and "token_hash" not in signin
    # Without the form's token, nothing is exported.
    assert browser.post(f"{page}/export", data={}).status_code == 403
    asked = post_form(browser, page, f"{page}/corrections", details="My surname is wrong")
    assert asked.status_code == 303
    after = browser.get(asked.headers["location"])
    assert "My surname is wrong" in after.text
    assert _requests(container) == 2


def test_the_console_privacy_page(studio: Studio, browser: TestClient, api: Api) -> None:
    container = studio.container
    member = member_who_signs_in(api, container, studio.desk.tenant, AMA)
    member_id = member["id"]
    page = f"/manage/members/{member_id}/privacy"
    api.create_staff(studio.desk.tenant, "manager", MANAGER)
    # The front desk may not open it.
    assert staff_signs_in(browser, SLUG, DESK, PASSWORD).status_code == 303
    assert browser.get(page).status_code == 403
    browser.cookies.clear()
    # A manager exports, but sees no erase form and is refused an erasure.
    assert staff_signs_in(browser, SLUG, MANAGER, PASSWORD).status_code == 303
    shown = browser.get(page)
    assert shown.status_code == 200
    assert "Erase personal data" not in shown.text
    refused = browser.post(
        f"{page}/erasure",
        data={"csrf": csrf_of(shown.text), "confirmation": AMA},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert _member(container, member_id)[1] == AMA
    browser.cookies.clear()
    # The owner: an unconfirmed erasure is the page again with the message.
    assert staff_signs_in(browser, SLUG, OWNER, PASSWORD).status_code == 303
    before = _requests(container)
    wrong = post_form(browser, page, f"{page}/erasure", confirmation="Ama")
    assert wrong.status_code == 422
    assert "type the member&#39;s email or full name" in wrong.text
    assert _member(container, member_id)[1] == AMA and _requests(container) == before
    done = post_form(browser, page, f"{page}/erasure", confirmation=AMA)
    assert done.status_code == 303
    assert _member(container, member_id) == ("Erased", None)
    again = post_form(browser, page, f"{page}/erasure", confirmation="Erased member")
    assert again.status_code == 409
    assert "already erased" in again.text
    # Another tenant's member, and an address that is no id: not found.
    other = open_studio(api, container, "other-privacy-pages").member()
    assert browser.get(f"/manage/members/{other}/privacy").status_code == 404
    assert browser.get("/manage/members/nope/privacy").status_code == 404
