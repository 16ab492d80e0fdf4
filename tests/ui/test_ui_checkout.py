"""Check-out at the desk with the keyboard, offline: the mode, the minutes dialog, and back
to check-in after one check-out or a while."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.core.kiosk import KioskCore
from desktop.core.scanning import ScanKind, ScanResult
from desktop.core.store import OutboxRepository
from desktop.ui.main_window import MainWindow
from desktop.ui.views.checkin_view import CHECKOUT_HINT, CHECKOUT_PROMPT, NO_CAMERA, PROMPT
from shared.qr import PassClaims, PassVerdict, VerdictCode
from tests.ui.fake_camera import FakeCamera
from tests.ui.keys import HUMAN_KEY_GAP_MS, enter_staff_pin, scanner_burst
from tests.ui.windows import main_window
from tests.unit.desktop.checkin_fakes import Clock, DeskData, desk_core, seed_desk_data
from tests.unit.desktop.kiosk_fakes import FakeServer

#: 09:15 UTC on Wednesday 8 January 2025 is 22:15 the same day in Auckland.
NOW = datetime(2025, 1, 8, 9, 15, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def data(fake_server: FakeServer) -> DeskData:
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
    with main_window(qtbot, desk, clock.now) as win:
        yield win


def scan(code: str, window: MainWindow) -> None:
    target: QWidget = QApplication.focusWidget() or window
    scanner_burst(target, code)


def checkouts(core: KioskCore) -> list[dict[str, Any]]:
    entries = OutboxRepository(core.store.connection()).pending()
    return [e.args for e in entries if e.name == "checkin.checkout.v1"]


def press(widget: QWidget, key: Qt.Key) -> None:
    QTest.keyClick(widget, key, delay=HUMAN_KEY_GAP_MS)


def test_check_out_with_the_keyboard_then_back_to_check_in(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, clock: Clock
) -> None:
    view = window.checkin_view
    scan("ZM000123", window)  # Ana comes in at 22:15
    assert view.decision.admitted
    clock.advance(47 * 60)
    view.show_ready()
    view.checkout_button.setFocus()
    press(view.checkout_button, Qt.Key.Key_Space)
    assert view.checking_out and view.prompt_label.text() == CHECKOUT_PROMPT
    assert view.checkout_button.text() == "Back to check-in"
    scan("ZM000123", window)  # Ana leaves at 23:02
    dialog = view.checkout_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.minutes_spin.value() == 47
    assert dialog.since_label.text() == "Came in 47 min ago."
    # Staff say 45: the suggestion is selected, so typing replaces it; Enter confirms.
    dialog.minutes_spin.setFocus()
    dialog.minutes_spin.selectAll()
    QTest.keyClicks(dialog.minutes_spin, "45")
    press(dialog.minutes_spin, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert [(a["minutes"], a["completed"]) for a in checkouts(desk)] == [(45, True)]
    assert view.pages.currentWidget() is view.decision
    assert view.decision.verdict_label.text() == "Checked out"
    assert view.decision.reason_label.text() == "45 minutes recorded"
    # One check-out, and the kiosk checks people in again.
    assert not view.checking_out and view.prompt_label.text() == PROMPT
    assert not view.checkout_button.isChecked()
    view.show_ready()
    clock.advance(10)
    scan("2002", window)  # Bea comes in: a check-in, not a check-out
    assert view.decision.admitted and view.decision.name_label.text() == "Bea O'Brien"


def test_did_not_train_and_escape_with_the_keyboard(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, clock: Clock
) -> None:
    view = window.checkin_view
    scan("ZM000123", window)
    clock.advance(5 * 60)
    view.set_checking_out(True)
    scan("ZM000123", window)
    dialog = view.checkout_dialog
    assert dialog is not None
    press(dialog, Qt.Key.Key_Escape)  # changed their mind: nothing queued, mode over
    assert not dialog.isVisible() and checkouts(desk) == [] and not view.checking_out
    view.set_checking_out(True)
    scan("ZM000123", window)
    dialog = view.checkout_dialog
    assert dialog is not None
    dialog.minutes_spin.setFocus()
    press(dialog.minutes_spin, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.skipped_box
    press(dialog.skipped_box, Qt.Key.Key_Space)
    assert dialog.skipped_box.isChecked() and not dialog.minutes_spin.isEnabled()
    press(dialog.skipped_box, Qt.Key.Key_Return)
    assert [(a["minutes"], a["completed"]) for a in checkouts(desk)] == [(5, False)]
    assert view.decision.reason_label.text() == "Did not train"


def test_no_open_visit_says_so_and_queues_nothing(
    qtbot: QtBot, window: MainWindow, desk: KioskCore
) -> None:
    view = window.checkin_view
    view.set_checking_out(True)
    scan("2002", window)  # Bea never came in today
    assert view.checkout_dialog is None
    assert view.pages.currentWidget() is view.decision
    assert view.decision.reason_label.text() == "Bea O'Brien has no visit today to check out of"
    assert checkouts(desk) == [] and not view.checking_out


def test_a_member_found_by_search_is_checked_out_after_a_staff_pin(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, clock: Clock
) -> None:
    view = window.checkin_view
    scan("ZM000123", window)
    clock.advance(90 * 60)
    view.set_checking_out(True)
    QTest.keyClicks(view.search_edit, "ana smi")
    qtbot.waitUntil(lambda: view.results.count() == 1)
    press(view.search_edit, Qt.Key.Key_Down)
    press(view.search_edit, Qt.Key.Key_Return)
    enter_staff_pin(qtbot, view.pin_dialog)
    dialog = view.checkout_dialog
    assert dialog is not None and dialog.minutes_spin.value() == 90
    assert dialog.since_label.text() == "Came in 1 h 30 min ago."
    press(dialog, Qt.Key.Key_Return)
    assert [a["minutes"] for a in checkouts(desk)] == [90]


def test_check_out_mode_gives_way_to_check_in_after_a_while(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = window.checkin_view
    view.checkout_timer.setInterval(20)
    view.checkout_button.click()  # a tap
    assert view.checking_out
    qtbot.waitUntil(lambda: not view.checking_out)
    assert view.prompt_label.text() == PROMPT and view.checkout_button.text() == "Check out"


def test_the_camera_checks_out_a_valid_pass_and_refuses_others(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, data: DeskData, clock: Clock
) -> None:
    camera = FakeCamera()
    window.connect_camera(camera)
    view = window.checkin_view
    scan("ZM000123", window)
    clock.advance(20 * 60)
    view.set_checking_out(True)
    camera.result_ready.emit(ScanResult(ScanKind.PASS_REFUSED, "x", reason="This pass has expired"))
    assert view.decision.reason_label.text() == "This pass has expired"
    assert checkouts(desk) == [] and not view.checking_out
    # The camera fails meanwhile: after check-out mode members read why, not the mode's hint.
    view.set_checking_out(True)
    camera.camera_error.emit("No camera found at index 0")
    assert view.hint_label.text() == CHECKOUT_HINT
    claims = PassClaims(uuid.uuid4(), data.ana, uuid.uuid4(), NOW, 1)
    verdict = PassVerdict(True, VerdictCode.OK, "", claims)
    camera.result_ready.emit(ScanResult(ScanKind.PASS_OK, "ZM1", verdict=verdict))
    dialog = view.checkout_dialog
    assert dialog is not None and dialog.minutes_spin.value() == 20
    press(dialog, Qt.Key.Key_Return)
    assert [a["minutes"] for a in checkouts(desk)] == [20]
    view.show_ready()
    assert view.hint_label.text() == NO_CAMERA
