"""The health pages (SQLite and PostgreSQL): the member app's questionnaire (a missing answer
is the page again, 422, with what was answered kept and nothing saved); the console's Health
page (front desk sees only whether a clearance is awaited and may not clear; a future date
or an unknown flag is the page again, 422, nothing changed; another tenant's member, 404)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from server.bootstrap import Container
from server.main import create_app
from server.screening.models import RiskFlagRecord, Screening, ScreeningClearance
from server.screening.state import today_in
from shared.carepath.screening import QUESTION_KEYS
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import PASSWORD, Api
from tests.integration.screening_helpers import NEEDS_CLEARANCE
from tests.integration.web_helpers import (
    csrf_of,
    member_signs_in,
    member_who_signs_in,
    staff_signs_in,
)

SLUG = "health-pages"
OWNER = f"owner@{SLUG}.example"
DESK = f"desk@{SLUG}.example"


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, SLUG)


@pytest.fixture
def browser(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        yield client


def _post(browser: TestClient, page: str, action: str, **fields: str) -> Any:
    shown = browser.get(page)
    assert shown.status_code == 200, shown.text
    return browser.post(
        action, data={"csrf": csrf_of(shown.text), **fields}, follow_redirects=False
    )


def _count(container: Container, model: Any) -> int:
    with container.uow() as uow:
        return int(uow.db.scalar(select(func.count()).select_from(model)) or 0)


def test_the_member_answers_the_questionnaire(studio: Studio, browser: TestClient) -> None:
    container = studio.container
    member_who_signs_in(studio.api, container, studio.desk.tenant, f"ama@{SLUG}.example")
    assert member_signs_in(browser, SLUG, f"ama@{SLUG}.example").status_code == 303
    page = "/app/account/health"
    shown = browser.get(page)
    assert shown.status_code == 200
    assert shown.text.count('class="screening-question"') == len(QUESTION_KEYS)
    # Chest pain answered yes without its follow-up, the rest no: refused, answers kept.
    answers = dict.fromkeys(QUESTION_KEYS, "no") | {"chest_pain": "yes"}
    refused = _post(browser, page, page, **answers)
    assert refused.status_code == 422
    assert "Has a doctor examined this pain" in refused.text
    assert 'name="chest_pain" value="yes" checked' in refused.text
    assert _count(container, Screening) == 0
    saved = _post(browser, page, page, **answers, **{"chest_pain.examined": "yes"})
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("/app/account/health?saved=1")
    after = browser.get(saved.headers["location"])
    assert "Clear to take part" in after.text
    assert _count(container, Screening) == 1


def test_the_console_health_page(studio: Studio, browser: TestClient, api: Api) -> None:
    container = studio.container
    member_id = studio.member()
    entered = api.client.post(
        f"/members/{member_id}/screening",
        json={"answers": NEEDS_CLEARANCE},
        headers=studio.admin,
    )
    assert entered.status_code == 201
    page = f"/manage/members/{member_id}/health"
    # The front desk: awaiting clearance, yes; no answers; no clearance form; may not clear.
    assert staff_signs_in(browser, SLUG, DESK, PASSWORD).status_code == 303
    desk_view = browser.get(page)
    assert desk_view.status_code == 200
    assert "Awaiting clearance: <strong>yes</strong>" in desk_view.text
    assert "medical supervision" not in desk_view.text
    assert "Record clearance" not in desk_view.text
    refused = browser.post(
        f"{page}/clearances",
        data={"csrf": csrf_of(desk_view.text), "evidence": "GP letter"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    browser.cookies.clear()
    # The owner: the answers; a future date and an unknown flag are refused on the page.
    assert staff_signs_in(browser, SLUG, OWNER, PASSWORD).status_code == 303
    owner_view = browser.get(page)
    assert "medical supervision" in owner_view.text
    with container.uow() as uow:
        tomorrow = today_in(uow, uuid.UUID(studio.tenant_id)) + timedelta(days=1)
    future = _post(
        browser, page, f"{page}/clearances", evidence="GP letter", cleared_on=tomorrow.isoformat()
    )
    assert future.status_code == 422
    assert "cannot be dated in the future" in future.text
    assert 'value="GP letter"' in future.text
    unknown = _post(browser, page, f"{page}/flags", flag="vampirism", note="")
    assert unknown.status_code == 422
    assert "Choose one of the risk flags" in unknown.text
    assert _count(container, ScreeningClearance) == 0
    assert _count(container, RiskFlagRecord) == 0
    cleared = _post(browser, page, f"{page}/clearances", evidence="GP letter 3 Dec")
    assert cleared.status_code == 303
    flagged = _post(browser, page, f"{page}/flags", flag="stress", note="Exams")
    assert flagged.status_code == 303
    done = browser.get(page)
    assert "GP letter 3 Dec" in done.text and "Stress" in done.text
    # Another tenant's member, and an address that is no id: not found.
    other = open_studio(api, container, "other-health-pages").member()
    assert browser.get(f"/manage/members/{other}/health").status_code == 404
    assert browser.get("/manage/members/nope/health").status_code == 404


def test_the_questionnaire_asks_which_condition_and_flags_it(
    studio: Studio, browser: TestClient
) -> None:
    container = studio.container
    member_who_signs_in(studio.api, container, studio.desk.tenant, f"kofi@{SLUG}.example")
    assert member_signs_in(browser, SLUG, f"kofi@{SLUG}.example").status_code == 303
    page = "/app/account/health"
    shown = browser.get(page)
    assert "Is it type 2 diabetes?" in shown.text
    answers = dict.fromkeys(QUESTION_KEYS, "no") | {
        "chronic_condition": "yes",
        "chronic_condition.controlled": "yes",
        "chronic_condition.limits": "no",
        "chronic_condition.type_2_diabetes": "yes",
    }
    saved = _post(browser, page, page, **answers)
    assert saved.status_code == 303, saved.text
    assert _count(container, RiskFlagRecord) == 1
    again = browser.get(saved.headers["location"])
    assert 'name="chronic_condition.type_2_diabetes" value="yes" checked' in again.text
