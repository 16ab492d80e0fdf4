"""The member app's Import activity pages through the web: an upload becomes the report
page (the member's own, in their home location's time), a file that is not what it says
gives the page again with the reason and stores nothing, a form without its CSRF token is
refused, a file past the limit is a 413 page, and another member's report is not found."""

from __future__ import annotations

import re
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from server.bootstrap import Container
from server.engagement.models import MovementEvent
from server.main import create_app
from server.wearables.models import ActivityImport
from shared.clock import utcnow
from tests.integration.activity_files import START, gpx_run
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api
from tests.integration.web_helpers import WEB_PASSWORD, csrf_of, member_signs_in

SLUG = "imports-web-gym"
PAGE = "/app/account/imports"


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, SLUG)


def _signed_in(studio: Studio, email: str) -> tuple[str, TestClient]:
    member = studio.member(
        plan="",
        email=email,
        password_hash=studio.container.identity.hash_password(WEB_PASSWORD),
        email_verified_at=utcnow(),
    )
    client = TestClient(create_app(container=studio.container), raise_server_exceptions=False)
    assert member_signs_in(client, SLUG, email).status_code == 303
    return member, client


def _upload(client: TestClient, name: str, data: bytes, csrf: str | None = None) -> Any:
    token = csrf if csrf is not None else csrf_of(client.get(PAGE).text)
    return client.post(
        PAGE, data={"csrf": token}, files={"file": (name, data)}, follow_redirects=False
    )


def _stored(studio: Studio) -> tuple[int, int]:
    with studio.container.uow() as uow:
        imports = uow.db.execute(select(func.count()).select_from(ActivityImport)).scalar_one()
        events = uow.db.execute(select(func.count()).select_from(MovementEvent)).scalar_one()
    return int(imports), int(events)


def test_an_upload_shows_its_report_and_joins_the_history(studio: Studio) -> None:
    _, client = _signed_in(studio, f"ama@{SLUG}.example")
    assert "No imports yet." in client.get(PAGE).text
    sent = _upload(client, "morning-run.gpx", gpx_run())
    assert sent.status_code == 303, sent.text
    report = client.get(sent.headers["location"])
    assert report.status_code == 200
    assert "1 added · 0 already recorded · 0 skipped" in report.text
    # The run started at 07:00 UTC; the member has no home: the studio's London time.
    london = START.astimezone(ZoneInfo("Europe/London"))
    assert f"{london:%H:%M}" in report.text
    assert "40&nbsp;min counted" in report.text
    history = client.get(PAGE).text
    assert "morning-run.gpx" in history and sent.headers["location"] in history
    # The same file again leads to the first import's report.
    again = _upload(client, "morning-run.gpx", gpx_run())
    assert again.headers["location"] == sent.headers["location"]
    assert _stored(studio) == (1, 1)


def test_a_forged_file_gives_the_page_again_with_the_reason(studio: Studio) -> None:
    _, client = _signed_in(studio, f"ama@{SLUG}.example")
    refused = _upload(client, "run.gpx", b'{"session": []}')
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text and "The GPX file is not readable XML" in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert _stored(studio) == (0, 0)


def test_a_form_without_its_token_is_refused_and_a_big_file_is_a_413(studio: Studio) -> None:
    _, client = _signed_in(studio, f"ama@{SLUG}.example")
    assert _upload(client, "run.gpx", gpx_run(), csrf="forged").status_code == 403
    studio.container.settings.activity_import_max_bytes = 4 * 1024
    too_big = _upload(client, "run.gpx", gpx_run(minutes=120))
    assert too_big.status_code == 413
    assert "larger than" in too_big.text
    assert _stored(studio) == (0, 0)


def test_another_members_report_is_not_found(studio: Studio) -> None:
    _, ama = _signed_in(studio, f"ama@{SLUG}.example")
    _, kofi = _signed_in(studio, f"kofi@{SLUG}.example")
    mine = _upload(ama, "run.gpx", gpx_run()).headers["location"]
    assert kofi.get(mine).status_code == 404
    assert kofi.get(f"{PAGE}/{uuid.uuid4()}").status_code == 404
    assert kofi.get(f"{PAGE}/not-an-id").status_code == 404
    assert not re.search(r"run\.gpx", kofi.get(PAGE).text)
