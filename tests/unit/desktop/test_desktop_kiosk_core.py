from __future__ import annotations

from pathlib import Path

import pytest

from desktop.app import build_core
from desktop.config import KioskSettings
from desktop.core.credentials import CREDENTIAL_FILE
from desktop.core.kiosk import EnrolmentInputError, KioskCore
from desktop.core.sync.errors import OFFLINE_MESSAGE, REVOKED_MESSAGE, ServerRejected
from tests.unit.desktop.kiosk_fakes import COACH_PIN, ENROL_CODE, MANAGER_PIN, FakeServer


def enrol(core: KioskCore) -> None:
    status = core.enrol("http://zmos.test/", f"  {ENROL_CODE} ", "Front desk 1")
    assert status.online is True and status.last_error is None


def test_enrol_stores_ids_secret_and_downloads_the_snapshot(
    core: KioskCore, fake_server: FakeServer, settings: KioskSettings
) -> None:
    assert not core.is_enrolled()
    enrol(core)
    assert core.is_enrolled()
    device = core.device()
    assert device is not None
    assert device.device_id == fake_server.device_id
    assert device.location_id == fake_server.location_id
    assert device.server_url == "http://zmos.test"
    assert device.db_instance_id == core.store.instance_id
    assert core.credentials.load(str(device.device_id)) == fake_server.device_secret
    assert (settings.data_dir / CREDENTIAL_FILE).exists()
    location = core.location()
    assert location is not None and location.name == "Riverside Gym"
    assert core.sync.status().last_sync_at is not None


def test_bad_code_changes_nothing(core: KioskCore) -> None:
    with pytest.raises(ServerRejected, match="not valid or has expired"):
        core.enrol("http://zmos.test", "WRONG-CODE", "Front desk 1")
    assert not core.is_enrolled()


@pytest.mark.parametrize(
    ("url", "code", "name", "message"),
    [
        ("zmos.test", ENROL_CODE, "Desk", "http://"),
        ("http://zmos.test", "  ", "Desk", "enrolment code"),
        ("http://zmos.test", ENROL_CODE, "", "name"),
    ],
)
def test_enrolment_input_is_checked(
    core: KioskCore, url: str, code: str, name: str, message: str
) -> None:
    with pytest.raises(EnrolmentInputError, match=message):
        core.enrol(url, code, name)


def test_offline_start_shows_the_cached_location(
    settings: KioskSettings, fake_server: FakeServer
) -> None:
    http = fake_server.client()
    first = build_core(settings, http_client=http)
    enrol(first)
    first.close()

    fake_server.down = True  # the location's internet is down when the kiosk restarts
    again = build_core(settings, http_client=http)
    assert again.is_enrolled()
    before = again.sync.status()
    assert before.last_sync_at is not None  # the sync before the restart
    assert before.online is None  # nothing tried yet: startup does no network call
    assert fake_server.requests.count(("GET", "/sync/snapshot")) == 1

    status = again.sync.refresh()
    assert status.online is False
    assert status.last_error == OFFLINE_MESSAGE
    assert status.last_sync_at == before.last_sync_at  # the last good sync is kept
    location = again.location()
    assert location is not None and location.name == "Riverside Gym"
    assert again.verify_staff_pin(MANAGER_PIN) is not None  # PINs work offline too

    fake_server.down = False
    back = again.sync.refresh()
    assert back.online is True and back.last_error is None
    assert back.last_sync_at is not None and back.last_sync_at > before.last_sync_at
    again.close()


def test_refresh_replaces_the_cache_in_one_go(core: KioskCore, fake_server: FakeServer) -> None:
    enrol(core)
    fake_server.location_name = "Riverside Gym & Pool"
    fake_server.staff = fake_server.staff[:1]
    core.sync.refresh()
    location = core.location()
    assert location is not None and location.name == "Riverside Gym & Pool"
    assert core.verify_staff_pin(COACH_PIN) is None


def test_pin_verification_only_for_exit_roles(core: KioskCore) -> None:
    enrol(core)
    staff = core.verify_staff_pin(MANAGER_PIN)
    assert staff is not None and staff.name == "Ana Manager"
    assert core.verify_staff_pin(COACH_PIN) is None  # coaches cannot leave kiosk mode
    assert core.verify_staff_pin("0000") is None
    assert core.verify_staff_pin("") is None
    assert core.has_exit_staff()


def test_revoked_device_is_told_to_enrol_again(core: KioskCore, fake_server: FakeServer) -> None:
    enrol(core)
    fake_server.revoked = True
    fake_server.expire_tokens()
    core.connection.drop_client()  # a restart: no cached access token
    status = core.sync.refresh()
    assert status.needs_enrolment
    assert status.last_error == REVOKED_MESSAGE
    assert core.location() is not None  # the cache stays usable


def test_missing_credential_is_reported(core: KioskCore, settings: KioskSettings) -> None:
    enrol(core)
    core.connection.drop_client()
    (settings.data_dir / CREDENTIAL_FILE).unlink()
    status = core.sync.refresh()
    assert status.needs_enrolment
    assert status.last_error is not None and "credential is missing" in status.last_error


def test_status_carries_the_credential_warning(
    tmp_path: Path, no_keyring: None, fake_server: FakeServer
) -> None:
    settings = KioskSettings(data_dir=tmp_path / "k", credential_store="auto")
    core = build_core(settings, http_client=fake_server.client())
    warning = core.sync.status().credential_warning
    assert warning is not None and warning.startswith("No OS keyring")
    assert str(tmp_path / "k" / CREDENTIAL_FILE) in warning
    core.close()
