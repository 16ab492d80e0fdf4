from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from desktop.app import build_core, connect_worker
from desktop.config import KioskSettings
from desktop.core.kiosk import KioskCore
from desktop.core.sync import OFFLINE_MESSAGE
from desktop.ui.main_window import MainWindow
from desktop.ui.status_bar import CREDENTIAL_NOTE
from desktop.ui.views.checkin_view import PROMPT
from desktop.workers.sync_worker import SyncWorker
from tests.unit.desktop.kiosk_fakes import FakeServer

#: A Wednesday: 2025-01-08 09:15 UTC is 22:15 the same day in Auckland (UTC+13).
FIXED_NOW = datetime(2025, 1, 8, 9, 15, 30, tzinfo=UTC)


def make_window(qtbot: QtBot, core: KioskCore) -> MainWindow:
    window = MainWindow(core, kiosk_mode=False, now=lambda: FIXED_NOW)
    qtbot.addWidget(window)
    window.present()
    return window


def test_header_shows_location_local_time_and_todays_hours(
    qtbot: QtBot, enrolled_core: KioskCore
) -> None:
    window = make_window(qtbot, enrolled_core)
    header = window.header
    assert header.location_label.text() == "Riverside Gym"
    assert header.tenant_label.text() == "Zimasa Fitness"
    # 09:15 UTC on Wednesday is 22:15 on Wednesday in Auckland, after closing.
    assert header.clock_label.text() == "22:15"
    assert header.date_label.text() == "Wednesday 08 January 2025"
    assert header.timezone_label.text() == "Pacific/Auckland"
    assert header.hours_label.text() == "Today: 06:00\u201322:00"
    assert header.open_label.text() == "Closed now"
    assert window.views.currentWidget() is window.checkin_view
    assert window.checkin_view.prompt_label.text() == PROMPT
    assert (
        window.checkin_view.search_edit.placeholderText() == "Search by name, phone or card number"
    )
    week = [(d.text(), h.text()) for d, h in window.hours_panel.rows]
    assert week[0] == ("Monday", "06:00\u201322:00")
    assert week[5] == ("Saturday", "08:00\u201312:00, 14:00\u201318:00")
    assert week[6] == ("Sunday", "Closed")
    today = [d.text() for d, _ in window.hours_panel.rows if d.objectName() == "hoursToday"]
    assert today == ["Wednesday"]
    assert window.status.sync_label.text() == "Last sync: just now" or "ago" in (
        window.status.sync_label.text()
    )


def test_offline_start_shows_cache_and_status_bar_says_offline(
    qtbot: QtBot, enrolled_core: KioskCore, fake_server: FakeServer, settings: KioskSettings
) -> None:
    enrolled_core.close()
    fake_server.down = True  # the kiosk restarts while the internet is down
    restarted = build_core(settings, http_client=fake_server.client())
    window = make_window(qtbot, restarted)
    assert window.status.connection_label.text() == "● Connecting…"
    assert window.header.location_label.text() == "Riverside Gym"
    worker = SyncWorker(restarted, interval_seconds=60)
    connect_worker(window, worker)
    window.tasks.start_worker(worker, "zmos-sync")
    try:
        qtbot.waitUntil(lambda: window.status.connection_label.text() == "● Offline")
        assert OFFLINE_MESSAGE in window.status.message_label.text()
        assert window.status.message_label.text().startswith("Working from saved data · ")
        # The cached location is still shown.
        assert window.header.location_label.text() == "Riverside Gym"

        fake_server.down = False
        window.refresh_requested.emit()  # staff menu "Sync now"
        # Until the snapshot is in, the listener can report "online" (the server answered
        # its pull) with the last error still recorded: wait for the settled status.
        qtbot.waitUntil(
            lambda: (
                window.status.connection_label.text() == "● Online"
                and window.status.message_label.text() == ""
            )
        )
    finally:
        assert window.tasks.stop_worker(worker, 5000)
        # What the worker reported before it stopped reaches the window while the kiosk is
        # open, not in pytest-qt's teardown after it closed (a reload on a closed store).
        QCoreApplication.processEvents()
        restarted.close()


def test_snapshot_update_is_shown(
    qtbot: QtBot, enrolled_core: KioskCore, fake_server: FakeServer
) -> None:
    window = make_window(qtbot, enrolled_core)
    fake_server.location_name = "Riverside Gym & Pool"
    worker = SyncWorker(enrolled_core, interval_seconds=60)
    connect_worker(window, worker)
    window.tasks.start_worker(worker, "zmos-sync")
    try:
        qtbot.waitUntil(lambda: window.header.location_label.text() == "Riverside Gym & Pool")
    finally:
        assert window.tasks.stop_worker(worker, 5000)


def test_credential_warning_is_shown(qtbot: QtBot, core: KioskCore) -> None:
    core.credentials.warning = "No OS keyring: device credential stored in /x/device-credential"
    window = make_window(qtbot, core)
    assert window.status.credential_label.isVisible()
    # Issue 12: the path is for staff (the desk's diagnostics), not the member-facing screen.
    assert window.status.credential_label.text() == CREDENTIAL_NOTE
    assert "/x/" not in window.status.credential_label.text()
    assert [m for _, m in window.diagnostics.entries] == [core.credentials.warning]
