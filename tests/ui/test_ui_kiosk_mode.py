from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.core.kiosk import KioskCore
from desktop.ui.main_window import MainWindow
from desktop.ui.pin_dialog import NOT_ALLOWED, NOT_RECOGNISED, PinDialog
from tests.ui.keys import HUMAN_KEY_GAP_MS
from tests.unit.desktop.kiosk_fakes import COACH_PIN, MANAGER_PIN


def kiosk_window(qtbot: QtBot, core: KioskCore) -> MainWindow:
    window = MainWindow(core, kiosk_mode=True)
    qtbot.addWidget(window)
    window.present()
    qtbot.waitExposed(window)
    assert window.isFullScreen()
    return window


def enter_pin(qtbot: QtBot, dialog: PinDialog, pin: str) -> None:
    for digit in pin:
        button = next(b for b in dialog.findChildren(type(dialog.ok_button)) if b.text() == digit)
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.checking)


def test_closing_without_a_pin_is_refused(qtbot: QtBot, enrolled_core: KioskCore) -> None:
    window = kiosk_window(qtbot, enrolled_core)
    assert window.close() is False
    assert window.isVisible() and window.isFullScreen() and window.kiosk_mode
    dialog = window.pin_dialog
    assert dialog is not None and dialog.isVisible()
    QTest.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert window.pin_dialog is None
    assert window.isVisible() and window.kiosk_mode


def test_wrong_pin_keeps_kiosk_mode(qtbot: QtBot, enrolled_core: KioskCore) -> None:
    window = kiosk_window(qtbot, enrolled_core)
    window.request_exit_kiosk()
    dialog = window.pin_dialog
    assert dialog is not None
    enter_pin(qtbot, dialog, "0000")
    assert dialog.error_label.text() == NOT_RECOGNISED
    assert dialog.isVisible()
    enter_pin(qtbot, dialog, COACH_PIN)  # a coach may not unlock the kiosk
    assert dialog.error_label.text() == NOT_ALLOWED
    assert window.kiosk_mode and window.isFullScreen()


def test_right_pin_leaves_kiosk_mode(qtbot: QtBot, enrolled_core: KioskCore) -> None:
    window = kiosk_window(qtbot, enrolled_core)
    window.request_exit_kiosk()
    dialog = window.pin_dialog
    assert dialog is not None
    enter_pin(qtbot, dialog, MANAGER_PIN)
    assert dialog.staff is not None and dialog.staff.name == "Ana Manager"
    assert not window.kiosk_mode
    assert not window.isFullScreen()
    assert window.isVisible()
    assert window.close() is True  # no longer locked


def test_close_then_right_pin_closes(qtbot: QtBot, enrolled_core: KioskCore) -> None:
    window = kiosk_window(qtbot, enrolled_core)
    window.close()
    dialog = window.pin_dialog
    assert dialog is not None
    dialog.pin_edit.setText(MANAGER_PIN)
    QTest.keyClick(dialog.pin_edit, Qt.Key.Key_Return, delay=HUMAN_KEY_GAP_MS)
    qtbot.waitUntil(lambda: not dialog.checking)
    assert not window.kiosk_mode
    assert not window.isVisible()


def test_unenrolled_kiosk_cannot_lock_anyone_out(qtbot: QtBot, core: KioskCore) -> None:
    window = kiosk_window(qtbot, core)
    assert window.close() is True  # no cached staff PIN could ever unlock it
