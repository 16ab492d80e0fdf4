"""A real `zmos server` process and the real kiosk core talking over loopback."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from desktop.app import build_core, enrol
from desktop.config import KioskSettings
from desktop.core.sync import ServerRejected
from tests.e2e.conftest import ServerProcess, start_server

PASSWORD = "correct horse battery"


def _provider(url: str) -> tuple[dict[str, str], str]:
    """Sign a provider up over HTTP; returns the owner's headers and a location id."""
    body = {
        "name": "Loopback Gym",
        "slug": "loopback-gym",
        "currency": "GHS",
        "owner": {"name": "Owner", "email": "owner@loopback.example", "password": PASSWORD},
    }
    signed_up = httpx.post(f"{url}/tenants", json=body)
    assert signed_up.status_code == 201, signed_up.text
    headers = {"Authorization": f"Bearer {signed_up.json()['tokens']['access_token']}"}
    location = httpx.post(
        f"{url}/locations",
        json={
            "name": "Riverside",
            "timezone": "America/New_York",
            "opening_hours": {"sun": [{"opens": "07:00", "closes": "19:00"}]},
        },
        headers=headers,
    )
    assert location.status_code == 201, location.text
    staff = {
        "name": "Desk",
        "email": "desk@loopback.example",
        "role": "front_desk",
        "password": PASSWORD,
        "pin": "2580",
    }
    assert httpx.post(f"{url}/staff", json=staff, headers=headers).status_code == 201
    return headers, location.json()["id"]


def _code(url: str, headers: dict[str, str], location_id: str) -> str:
    response = httpx.post(f"{url}/locations/{location_id}/enrolment-codes", headers=headers)
    assert response.status_code == 201, response.text
    code: str = response.json()["code"]
    return code


def test_kiosk_enrols_downloads_and_keeps_working_when_the_server_dies(
    server: ServerProcess, tmp_path: Path
) -> None:
    headers, location_id = _provider(server.url)
    settings = KioskSettings(data_dir=tmp_path / "kiosk", credential_store="file")

    with pytest.raises(ServerRejected) as refused:
        enrol(settings, server.url, "loopback-gym.AAAA-BBBB-CCCC", "Front desk")
    assert "not valid" in str(refused.value.detail)

    enrol(settings, server.url, _code(server.url, headers, location_id), "Front desk")
    core = build_core(settings)
    try:
        location = core.location()
        assert location is not None
        assert location.name == "Riverside"
        assert location.timezone == "America/New_York"
        assert core.verify_staff_pin("2580") is not None
        assert core.verify_staff_pin("0000") is None
        status = core.sync.refresh()
        assert status.online is True
        assert status.last_error is None

        # The server is killed: the kiosk says it is offline and keeps its cache.
        server.stop(signal.SIGKILL)
        status = core.sync.refresh()
        assert status.online is False
        assert core.location() is not None
        assert core.location().name == "Riverside"  # type: ignore[union-attr]
    finally:
        core.close()

    # Restarted on the same data, the server knows the kiosk again.
    again = start_server(server.log.parent, port=int(server.url.rsplit(":", 1)[1]))
    try:
        core = build_core(settings)
        try:
            assert core.sync.refresh().online is True
        finally:
            core.close()
        devices = httpx.get(f"{again.url}/devices", headers=headers).json()["items"]
        assert [d["name"] for d in devices] == ["Front desk"]
        assert devices[0]["last_seen_at"] is not None
    finally:
        again.stop()


def test_a_revoked_kiosk_is_told_so(server: ServerProcess, tmp_path: Path) -> None:
    headers, location_id = _provider(server.url)
    settings = KioskSettings(data_dir=tmp_path / "kiosk", credential_store="file")
    enrol(settings, server.url, _code(server.url, headers, location_id), "Desk 2")
    core = build_core(settings)
    try:
        device = core.device()
        assert device is not None
        revoke = httpx.post(f"{server.url}/devices/{device.device_id}/revoke", headers=headers)
        assert revoke.status_code == 200
        status = core.sync.refresh()
        assert status.last_error is not None
        assert "revoked" in status.last_error
        assert core.location() is not None  # the cache stays for staff to see
    finally:
        core.close()


def test_db_upgrade_command_on_a_new_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "fresh" / "zmos.db"
    result = subprocess.run(
        [sys.executable, "-m", "zmos.cli", "db", "upgrade"],
        env={
            "ZMOS_DATABASE_URL": f"sqlite:///{database}",
            "ZMOS_DATA_DIR": str(tmp_path),
            "PATH": "",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "database is at revision head" in result.stdout
    assert database.exists()


def test_bad_settings_give_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "zmos.cli", "db", "upgrade"],
        env={"ZMOS_DATABASE_URL": "nonsense://", "ZMOS_DATA_DIR": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("zmos: invalid setting database_url: ZMOS_DATABASE_URL must be")
