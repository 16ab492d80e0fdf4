from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from desktop.app import build_core
from desktop.config import KioskSettings
from desktop.core.kiosk import KioskCore
from tests.unit.desktop.checkin_fakes import (
    NOW,
    Clock,
    DeskData,
    RecordingDecider,
    desk_core,
    seed_desk_data,
)
from tests.unit.desktop.kiosk_fakes import FakeServer


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """As on a headless Linux box: no usable keyring backend."""
    original = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]  # unannotated in keyring
    try:
        yield
    finally:
        keyring.set_keyring(original)


@pytest.fixture
def fake_server() -> FakeServer:
    return FakeServer()


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


# -- a kiosk at the desk, with the check-in tests' data (see checkin_fakes.py) --


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def data(fake_server: FakeServer, clock: Clock) -> DeskData:
    fake_server.server_time = clock.now()
    return seed_desk_data(fake_server, clock.now().date())


@pytest.fixture
def decider() -> RecordingDecider:
    return RecordingDecider()


@pytest.fixture
def desk(
    tmp_path: Path, fake_server: FakeServer, clock: Clock, data: DeskData, decider: RecordingDecider
) -> Iterator[KioskCore]:
    core = desk_core(tmp_path / "kiosk", fake_server, clock, decider)
    yield core
    core.close()
