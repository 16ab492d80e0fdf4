"""Today's times and the pass page's expiry are written as the location writes them: its
locale (12-hour American times, month-first dates; 24-hour British times, day-first dates)
in its time zone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.bootstrap import Container
from server.main import create_app
from tests.integration.bookings_helpers import open_studio
from tests.integration.helpers import PASSWORD, Api
from tests.integration.web_helpers import member_signs_in, member_who_signs_in, staff_signs_in

SLUG = "formats-gym"


@pytest.fixture
def browser(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        yield client


def _locale(api: Api, headers: dict[str, str], location: dict[str, Any], locale: str) -> None:
    changed = api.client.patch(
        f"/locations/{location['id']}", json={"locale": locale}, headers=headers
    )
    assert changed.status_code == 200, changed.text


@pytest.mark.usefixtures("midday")  # the class an hour from now is today's
def test_today_writes_times_as_the_location_does(
    api: Api, container: Container, browser: TestClient
) -> None:
    studio = open_studio(api, container, SLUG)
    studio.session(starts_in=timedelta(hours=1))
    assert staff_signs_in(browser, SLUG, f"owner@{SLUG}.example", PASSWORD).status_code == 303
    british = browser.get("/manage").text
    assert re.search(r"<td>\d\d:\d\d–\d\d:\d\d</td>", british)
    assert re.search(r"[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} · Europe/London", british)
    _locale(api, studio.admin, studio.desk.location, "en_US")
    american = browser.get("/manage/today/live").text
    assert re.search(r"<td>\d{1,2}:\d\d\s[AP]M–\d{1,2}:\d\d\s[AP]M</td>", american)
    assert re.search(r"[A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2}, \d{4} · Europe/London", american)


def test_the_pass_expires_on_a_date_written_as_the_home_location_does(
    api: Api, container: Container, browser: TestClient
) -> None:
    tenant = api.sign_up("formats-app")
    london = api.create_location(tenant, "London")
    member_who_signs_in(api, container, tenant, "ama@formats-app.example")
    assert member_signs_in(browser, "formats-app", "ama@formats-app.example").status_code == 303
    page = browser.get("/app/pass")
    assert page.status_code == 200
    assert re.search(r"Valid until \d{1,2} [A-Z][a-z]{2} \d{4}\.", page.text), page.text
    _locale(api, tenant.headers, london, "en_US")
    page = browser.get("/app/pass")
    assert re.search(r"Valid until [A-Z][a-z]{2} \d{1,2}, \d{4}\.", page.text), page.text
