from __future__ import annotations

from pathlib import Path

import pytest

from desktop import app
from desktop.config import KioskSettings, default_data_dir
from desktop.core.sync.errors import ServerRejected
from tests.ports import free_port
from tests.unit.desktop.kiosk_fakes import ENROL_CODE, FakeServer


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ZMOS_KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ZMOS_KIOSK_FULLSCREEN", "false")
    monkeypatch.setenv("ZMOS_KIOSK_CREDENTIAL_STORE", "file")
    monkeypatch.setenv("ZMOS_KIOSK_SYNC_INTERVAL_SECONDS", "5")
    settings = KioskSettings()
    assert settings.data_dir == tmp_path
    assert settings.fullscreen is False
    assert settings.credential_store == "file"
    assert settings.sync_interval_seconds == 5
    assert settings.server_url is None


def test_default_data_dir_is_per_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_data_dir() == tmp_path / "zmos-kiosk"


def test_enrol_from_the_command_line_api(settings: KioskSettings, fake_server: FakeServer) -> None:
    http = fake_server.client()
    app.enrol(settings, "http://zmos.test", ENROL_CODE, "Front desk 1", http_client=http)
    core = app.build_core(settings, http_client=http)
    try:
        assert core.is_enrolled()
        location = core.location()
        assert location is not None and location.name == "Riverside Gym"
    finally:
        core.close()
    with pytest.raises(ServerRejected, match="not valid or has expired"):
        app.enrol(settings, "http://zmos.test", ENROL_CODE, "Front desk 2", http_client=http)


def test_main_reports_an_unreachable_server_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZMOS_KIOSK_CREDENTIAL_STORE", "file")
    url = f"http://127.0.0.1:{free_port()}"
    code = app.main(["--data-dir", str(tmp_path), "--server", url, "--enrol", ENROL_CODE])
    assert code == 2
    err = capsys.readouterr().err
    assert "Enrolment failed: Cannot reach the server" in err
    assert "Traceback" not in err


def test_main_needs_a_server_to_enrol(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZMOS_KIOSK_SERVER_URL", raising=False)
    with pytest.raises(SystemExit):
        app.main(["--data-dir", str(tmp_path), "--enrol", ENROL_CODE])
