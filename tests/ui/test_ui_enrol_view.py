from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.core.kiosk import KioskCore
from desktop.ui.main_window import MainWindow
from tests.unit.desktop.kiosk_fakes import ENROL_CODE, FakeServer


def enrol_window(qtbot: QtBot, core: KioskCore) -> MainWindow:
    window = MainWindow(core, kiosk_mode=False, default_device_name="Front desk 1")
    qtbot.addWidget(window)
    window.show()
    assert window.views.currentWidget() is window.enrol_view
    assert not window.hours_panel.isVisible()
    return window


def submit(qtbot: QtBot, window: MainWindow, code: str, server: str = "http://zmos.test") -> None:
    view = window.enrol_view
    view.server_edit.setText(server)
    view.code_edit.setText(code)
    QTest.mouseClick(view.enrol_button, Qt.MouseButton.LeftButton)


def test_bad_code_shows_the_servers_words(qtbot: QtBot, core: KioskCore) -> None:
    window = enrol_window(qtbot, core)
    submit(qtbot, window, "BAD-CODE")
    view = window.enrol_view
    qtbot.waitUntil(lambda: view.error_label.text() != "")
    assert view.error_label.text() == "This enrolment code is not valid or has expired."
    assert "Traceback" not in view.error_label.text()
    assert view.enrol_button.isEnabled()
    assert window.views.currentWidget() is view
    assert not core.is_enrolled()


def test_unreachable_server_is_explained(
    qtbot: QtBot, core: KioskCore, fake_server: FakeServer
) -> None:
    fake_server.down = True
    window = enrol_window(qtbot, core)
    submit(qtbot, window, ENROL_CODE)
    qtbot.waitUntil(lambda: window.enrol_view.error_label.text() != "")
    assert window.enrol_view.error_label.text() == "Cannot reach the server (connection failed)"


def test_bad_server_address_is_explained(qtbot: QtBot, core: KioskCore) -> None:
    window = enrol_window(qtbot, core)
    submit(qtbot, window, ENROL_CODE, server="zmos.test")
    qtbot.waitUntil(lambda: window.enrol_view.error_label.text() != "")
    assert "http://" in window.enrol_view.error_label.text()


def test_good_code_enrols_and_shows_the_location(qtbot: QtBot, core: KioskCore) -> None:
    window = enrol_window(qtbot, core)
    with qtbot.waitSignal(window.refresh_requested, timeout=5000):
        submit(qtbot, window, ENROL_CODE)
    assert core.is_enrolled()
    assert window.views.currentWidget() is window.checkin_view
    assert window.header.location_label.text() == "Riverside Gym"
    assert window.hours_panel.isVisible()
    assert window.status.connection_label.text() == "● Online"
