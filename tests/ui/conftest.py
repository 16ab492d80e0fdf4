from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything imports Qt

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.app import build_core
from desktop.config import KioskSettings
from desktop.core.kiosk import KioskCore
from tests.unit.desktop.kiosk_fakes import ENROL_CODE, FakeServer


@pytest.fixture
def fake_server() -> FakeServer:
    return FakeServer(timezone="Pacific/Auckland")


@pytest.fixture
def settings(tmp_path: Path) -> KioskSettings:
    return KioskSettings(data_dir=tmp_path / "kiosk", credential_store="file")


@pytest.fixture
def core(settings: KioskSettings, fake_server: FakeServer) -> Iterator[KioskCore]:
    http = fake_server.client()
    kiosk = build_core(settings, http_client=http)
    yield kiosk
    kiosk.close()
    http.close()


@pytest.fixture
def enrolled_core(core: KioskCore) -> KioskCore:
    core.enrol("http://zmos.test", ENROL_CODE, "Front desk 1")
    return core
