"""Every way people and scanners arrive at the kiosk: 2D scanners typing passes, card numbers
typed by hand, scans while a dialog is open, keyboard-only use and unknown cards."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.core.kiosk import KioskCore
from desktop.core.store import LocalRepository
from desktop.ui.main_window import MainWindow
from shared.qr import public_key_to_b64
from tests.frames import PassFactory
from tests.unit.desktop.checkin_fakes import Clock, DeskData, desk_core, seed_desk_data
from tests.unit.desktop.kiosk_fakes import FakeServer

NOW = datetime(2025, 1, 8, 9, 15, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def passes(fake_server: FakeServer) -> PassFactory:
    factory = PassFactory.create()
    factory.tenant_id = fake_server.tenant_id
    public = public_key_to_b64(factory.private_key.public_key())
    fake_server.pass_keys = [{"key_id": factory.key_id, "public_key": public}]
    return factory


@pytest.fixture
def data(fake_server: FakeServer, passes: PassFactory) -> DeskData:
    fake_server.server_time = NOW
    return seed_desk_data(fake_server, NOW.date())


@pytest.fixture
def desk(
    tmp_path: Path, fake_server: FakeServer, clock: Clock, data: DeskData
) -> Iterator[KioskCore]:
    core = desk_core(tmp_path / "kiosk", fake_server, clock)
    fake_server.down = True
    yield core
    core.close()


@pytest.fixture
def window(qtbot: QtBot, desk: KioskCore, clock: Clock) -> Iterator[MainWindow]:
    win = MainWindow(desk, kiosk_mode=False, now=clock.now)
    qtbot.addWidget(win)
    win.present()
    win.activateWindow()
    yield win
    win.close()


def scan(code: str, target: QWidget | None = None) -> None:
    """A USB scanner: the keys go wherever the focus is, fast, then Enter."""
    if target is not None:
        target.setFocus()
    widget = target or QApplication.focusWidget() or QApplication.activeWindow()
    assert widget is not None
    QTest.keyClicks(widget, code)
    QTest.keyClick(widget, Qt.Key.Key_Return)


# -- 2D scanners typing a pass ----------------------------------------------------------------


def test_pass_typed_by_a_2d_scanner_admits_like_the_camera(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, data: DeskData, passes: PassFactory
) -> None:
    claims = passes.claims(member_id=data.ana, expires_at=NOW + timedelta(days=30))
    scan(passes.token(claims), window.checkin_view.search_edit)
    decision = window.checkin_view.decision
    assert decision.admitted, decision.reason_label.text()
    assert decision.name_label.text() == "Ana Smith"
    [row] = LocalRepository(desk.store.connection()).checkins()
    assert row.method == "qr" and row.pass_id == claims.pass_id


@pytest.mark.parametrize(
    ("kind", "reason"),
    [("forged", "signature is not valid"), ("expired", "expired")],
)
def test_bad_pass_typed_by_a_scanner_is_refused_as_a_pass(
    qtbot: QtBot,
    window: MainWindow,
    desk: KioskCore,
    data: DeskData,
    passes: PassFactory,
    kind: str,
    reason: str,
) -> None:
    if kind == "forged":
        forger = PassFactory.create()
        forger.tenant_id = passes.tenant_id
        forger.key_id = passes.key_id
        token = forger.token(forger.claims(member_id=data.ana))
    else:
        token = passes.token(passes.claims(member_id=data.ana, expires_at=NOW - timedelta(days=1)))
    scan(token, window.checkin_view.search_edit)
    decision = window.checkin_view.decision
    assert not decision.admitted
    assert reason in decision.reason_label.text().lower()
    assert "Unknown card" not in decision.reason_label.text()
    assert desk.sync.pending_count() == 0
