"""Kiosks report their outbox with each pull; the server keeps it on the device only when it
changes (and the time of contact once a minute), and the console's Today shows each kiosk
online or offline with its pending count and last sync, written as its location writes."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, update
from sqlalchemy.engine import Connection

from desktop.app import build_core
from desktop.config import KioskSettings
from server.bootstrap import Container
from server.devices.models import Device
from server.main import create_app
from shared.clock import utcnow
from shared.enums import CheckinMethod
from tests.integration.helpers import PASSWORD, Api
from tests.integration.members_helpers import create_member
from tests.integration.plans_helpers import Desk, open_desk
from tests.integration.sync_helpers import Kiosk
from tests.integration.web_helpers import staff_signs_in

SLUG = "pending-gym"


@pytest.fixture
def desk(api: Api, container: Container) -> Desk:
    return open_desk(api, container, SLUG, timezone="America/New_York", locale="en_US")


@pytest.fixture
def browser(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        yield client


def _device(desk: Desk, device_id: str) -> dict[str, Any]:
    listed = desk.api.client.get("/devices", headers=desk.admin)
    assert listed.status_code == 200, listed.text
    found: dict[str, Any] = next(d for d in listed.json()["items"] if d["id"] == device_id)
    return found


def _seen(desk: Desk, device_id: str, at: datetime) -> None:
    with desk.container.uow() as uow:
        uow.db.execute(
            update(Device).where(Device.id == uuid.UUID(device_id)).values(last_seen_at=at)
        )
        uow.commit()


class _DeviceWrites:
    """Counts the statements that write the devices table."""

    def __init__(self, container: Container) -> None:
        self.count = 0
        self._engine = container.engine
        event.listen(self._engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE DEVICES"):
            self.count += 1

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._seen)


def _pulled(kiosk: Kiosk, **params: Any) -> None:
    response = kiosk.pull(0, **params)
    assert response.status_code == 200, response.text


def test_a_pull_keeps_the_outbox_report_only_when_it_changes(desk: Desk) -> None:
    kiosk = Kiosk.of(desk)
    writes = _DeviceWrites(desk.container)
    try:
        _pulled(kiosk, pending=3, oldest_pending_s=600)
        device = _device(desk, desk.device_id)
        assert device["pending_count"] == 3
        oldest = datetime.fromisoformat(device["oldest_pending_at"])
        assert abs((utcnow() - timedelta(seconds=600) - oldest).total_seconds()) < 30
        first = writes.count
        assert first == 1
        # The same report (the oldest a few seconds older by the network's delay) and a
        # contact kept less than a minute ago: nothing written.
        _pulled(kiosk, pending=3, oldest_pending_s=603)
        _pulled(kiosk, pending=3, oldest_pending_s=601)
        _pulled(kiosk)  # an older kiosk that reports nothing
        assert writes.count == first
        _pulled(kiosk, pending=4, oldest_pending_s=610)
        assert writes.count == first + 1
        assert _device(desk, desk.device_id)["pending_count"] == 4
        _pulled(kiosk, pending=0)
        device = _device(desk, desk.device_id)
        assert (device["pending_count"], device["oldest_pending_at"]) == (0, None)
        assert writes.count == first + 2
        # A contact kept more than a minute ago is refreshed by the next pull, once.
        _seen(desk, desk.device_id, utcnow() - timedelta(seconds=61))
        before = writes.count
        _pulled(kiosk, pending=0)
        _pulled(kiosk, pending=0)
        assert writes.count == before + 1
        seen = datetime.fromisoformat(_device(desk, desk.device_id)["last_seen_at"])
        assert utcnow() - seen < timedelta(seconds=30)
    finally:
        writes.close()


def test_a_bad_report_is_refused(desk: Desk) -> None:
    kiosk = Kiosk.of(desk)
    for params in ({"pending": -1}, {"pending": "many"}, {"pending": 1, "oldest_pending_s": -5}):
        assert kiosk.pull(0, **params).status_code == 422
    assert _device(desk, desk.device_id)["pending_count"] is None


def _kiosk_line(html: str, name: str) -> str:
    found = re.search(rf'<li data-kiosk="{name}">(.*?)</li>', html, re.S)
    assert found, html
    return " ".join(found.group(1).split())


def test_today_shows_each_kiosk_with_its_pending_count(desk: Desk, browser: TestClient) -> None:
    kiosk = Kiosk.of(desk)  # "Front desk", in New York, written the American way
    other = Kiosk.enrol(desk)  # "Second desk"
    quiet = desk.api.enrol_device(desk.tenant, desk.location["id"], "Back door")
    desk.api.device_headers(quiet)  # its token: in touch, but it has not pulled yet
    _pulled(kiosk, pending=5, oldest_pending_s=300)
    _pulled(other, pending=0)
    assert staff_signs_in(browser, SLUG, f"owner@{SLUG}.example", PASSWORD).status_code == 303
    live = browser.get("/manage/today/live")
    assert live.status_code == 200, live.text
    line = _kiosk_line(live.text, "Front desk")
    assert "Online" in line and 'data-figure="pending">5 pending since' in line
    since = re.search(r"since (\d{1,2}:\d\d\s[AP]M)", line)
    assert since, line  # 12-hour time: the location's locale is en_US
    assert "nothing pending" in _kiosk_line(live.text, "Second desk")
    assert re.search(r"last sync \d{1,2}:\d\d\s[AP]M", _kiosk_line(live.text, "Second desk"))
    assert "Online" in _kiosk_line(live.text, "Back door")  # enrolled just now
    assert "pending not reported" in _kiosk_line(live.text, "Back door")
    # A kiosk that stopped: offline once it has been quiet for two minutes, not sixteen.
    _seen(desk, other.device_id, utcnow() - timedelta(seconds=100))
    _seen(desk, quiet["device_id"], utcnow() - timedelta(seconds=130))
    live = browser.get("/manage/today/live")
    assert "Online" in _kiosk_line(live.text, "Second desk")
    assert "Offline" in _kiosk_line(live.text, "Back door")


def test_the_kiosk_reports_its_outbox_as_it_pulls(api: Api, tmp_path: Path) -> None:
    tenant = api.sign_up("outbox-gym")
    door = api.create_location(tenant, "Door")
    member = create_member(api, tenant, "Ama", "Owusu")
    code = api.client.post(f"/locations/{door['id']}/enrolment-codes", headers=tenant.headers)
    core = build_core(
        KioskSettings(data_dir=tmp_path / "kiosk", credential_store="file"), http_client=api.client
    )
    try:
        core.enrol("http://testserver", code.json()["code"], "Door")
        enrolled = core.device()
        assert enrolled is not None
        device_id = str(enrolled.device_id)

        def reported() -> dict[str, Any]:
            listed = api.client.get("/devices", headers=tenant.headers).json()["items"]
            found: dict[str, Any] = next(d for d in listed if d["id"] == device_id)
            return found

        core.checkin.check_in(uuid.UUID(member["id"]), CheckinMethod.SEARCH)
        waiting = core.sync.pending_count()
        assert waiting >= 1
        assert core.sync.pull() is not None
        device = reported()
        assert device["pending_count"] == waiting
        oldest = datetime.fromisoformat(device["oldest_pending_at"])
        assert abs((utcnow() - oldest).total_seconds()) < 60
        assert core.sync.push() is not None
        assert core.sync.pending_count() == 0
        assert core.sync.pull() is not None
        device = reported()
        assert (device["pending_count"], device["oldest_pending_at"]) == (0, None)
    finally:
        core.close()
