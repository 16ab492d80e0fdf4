"""Staff at the desk: Enter in every kiosk dialog, PIN checks that keep the screen alive,
the lock-out, staff mode in the header, and who took the money."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.core.kiosk import KioskCore
from desktop.core.store import OutboxRepository
from desktop.ui.main_window import MainWindow
from desktop.ui.pin_dialog import NOT_RECOGNISED, PinDialog
from desktop.ui.views.override_dialog import REASON_REQUIRED
from shared.kiosk_pins import lookup_tags
from tests.ui.keys import HUMAN_KEY_GAP_MS
from tests.ui.windows import main_window
from tests.unit.desktop.checkin_fakes import Clock, DeskData, desk_core, seed_desk_data
from tests.unit.desktop.kiosk_fakes import MANAGER_PIN, FakeServer

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
    with main_window(qtbot, desk, clock.now, size=(1366, 768)) as win:
        yield win


def type_pin_and_enter(qtbot: QtBot, dialog: PinDialog | None, pin: str) -> PinDialog:
    assert dialog is not None and dialog.isVisible()
    QTest.keyClicks(dialog.pin_edit, pin)
    QTest.keyClick(dialog.pin_edit, Qt.Key.Key_Return, delay=HUMAN_KEY_GAP_MS)
    qtbot.waitUntil(lambda: not dialog.checking)
    return dialog


def sale_args(core: KioskCore) -> dict[str, object]:
    [entry] = [
        e for e in OutboxRepository(core.store.connection()).pending() if e.name == "sale.create.v1"
    ]
    return entry.args


# -- Enter ------------------------------------------------------------------------------------


def test_wrong_pin_and_enter_says_not_recognised_and_stays_open(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = window.checkin_view
    QTest.mouseClick(view.sale_button, Qt.MouseButton.LeftButton)
    dialog = type_pin_and_enter(qtbot, view.pin_dialog, "0000")
    assert dialog.error_label.text() == NOT_RECOGNISED
    assert dialog.isVisible() and view.sale_dialog is None
    # Enter on a focused Cancel button is not Cancel either.
    dialog.cancel_button.setFocus()
    QTest.keyClick(dialog.cancel_button, Qt.Key.Key_Return, delay=HUMAN_KEY_GAP_MS)
    qtbot.waitUntil(lambda: not dialog.checking)
    assert dialog.isVisible()


def test_empty_override_reason_and_enter_asks_for_a_reason(
    qtbot: QtBot, window: MainWindow, desk: KioskCore
) -> None:
    view = window.checkin_view
    QTest.keyClicks(view.search_edit, "jose", delay=30)
    view.picker.pick_row(0)
    type_pin_and_enter(qtbot, view.pin_dialog, MANAGER_PIN)
    assert not view.decision.admitted
    QTest.mouseClick(view.decision.override_button, Qt.MouseButton.LeftButton)
    reason = view.reason_dialog  # staff mode: no second PIN
    assert reason is not None and reason.isVisible()
    QTest.keyClick(reason.reason_edit, Qt.Key.Key_Return, delay=HUMAN_KEY_GAP_MS)
    assert reason.error_label.text() == REASON_REQUIRED and reason.isVisible()
    QTest.keyClicks(reason.reason_edit, "Renewing now")
    QTest.keyClick(reason.reason_edit, Qt.Key.Key_Return, delay=HUMAN_KEY_GAP_MS)
    assert not reason.isVisible() and view.decision.admitted


def test_cash_and_enter_takes_the_payment_rather_than_cancelling(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, data: DeskData, fake_server: FakeServer
) -> None:
    view = window.checkin_view
    QTest.mouseClick(view.sale_button, Qt.MouseButton.LeftButton)
    type_pin_and_enter(qtbot, view.pin_dialog, MANAGER_PIN)
    sale = view.sale_dialog
    assert sale is not None and sale.isVisible()
    sale.cash_radio.setFocus()
    QTest.keyClick(sale.cash_radio, Qt.Key.Key_Space)
    assert sale.cash_radio.isChecked()
    QTest.keyClick(sale.cash_radio, Qt.Key.Key_Return, delay=HUMAN_KEY_GAP_MS)
    assert sale.isVisible() and sale.error_label.text() == "Choose who the pass is for"
    QTest.keyClicks(sale.member_picker.edit, "carl", delay=30)
    sale.member_picker.pick_row(0)
    sale.cash_radio.setFocus()
    QTest.keyClick(sale.cash_radio, Qt.Key.Key_Return, delay=HUMAN_KEY_GAP_MS)
    assert not sale.isVisible() and sale.result() == sale.DialogCode.Accepted
    assert view.decision.admitted and view.decision.name_label.text() == "Carl Jones"
    manager = next(s for s in fake_server.staff if s["name"] == "Ana Manager")
    args = sale_args(desk)
    assert args["payment_method"] == "cash" and args["staff_id"] == manager["id"]


def test_walkin_enter_registers_or_says_what_is_missing(qtbot: QtBot, window: MainWindow) -> None:
    view = window.checkin_view
    QTest.mouseClick(view.walkin_button, Qt.MouseButton.LeftButton)
    type_pin_and_enter(qtbot, view.pin_dialog, MANAGER_PIN)
    dialog = view.walkin_dialog
    assert dialog is not None
    dialog.fill("Eve", "")
    QTest.keyClick(dialog.first_edit, Qt.Key.Key_Return, delay=HUMAN_KEY_GAP_MS)
    assert dialog.isVisible() and dialog.error_label.text() == "Enter the last name"


# -- PIN checks -------------------------------------------------------------------------------


def test_the_screen_stays_responsive_while_a_pin_is_checked(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    ui_thread = threading.get_ident()
    hashed_on: list[int] = []

    def slow_tags(pin: str, key: bytes | None, lookups: Iterable[str | None]) -> dict[str, bytes]:
        hashed_on.append(threading.get_ident())
        time.sleep(0.4)  # a slow machine's argon2
        return lookup_tags(pin, key, lookups)

    monkeypatch.setattr("desktop.core.staff_pins.lookup_tags", slow_tags)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    view = window.checkin_view
    QTest.mouseClick(view.walkin_button, Qt.MouseButton.LeftButton)
    dialog = view.pin_dialog
    assert dialog is not None
    QTest.keyClicks(dialog.pin_edit, MANAGER_PIN)
    started = time.monotonic()
    QTest.keyClick(dialog.pin_edit, Qt.Key.Key_Return, delay=HUMAN_KEY_GAP_MS)
    assert time.monotonic() - started < 0.2  # Enter returned before the hash was done
    assert dialog.checking and dialog.error_label.text() == "Checking…"
    qtbot.waitUntil(lambda: not dialog.checking, timeout=5_000)
    timer.stop()
    assert hashed_on and ui_thread not in hashed_on
    assert len([t for t in ticks if t > started]) >= 5  # the event loop ran meanwhile
    assert view.walkin_dialog is not None and view.walkin_dialog.isVisible()


def test_five_wrong_pins_lock_the_prompt_with_the_time_to_try_again(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, clock: Clock
) -> None:
    view = window.checkin_view
    QTest.mouseClick(view.sale_button, Qt.MouseButton.LeftButton)
    dialog = view.pin_dialog
    for _ in range(5):
        type_pin_and_enter(qtbot, dialog, "9999")
    assert dialog is not None
    assert dialog.error_label.text() == "Too many wrong PINs; try again at 22:20"
    type_pin_and_enter(qtbot, dialog, MANAGER_PIN)
    assert dialog.isVisible() and view.sale_dialog is None
    dialog.reject()
    # A new prompt says so from the start.
    QTest.mouseClick(view.walkin_button, Qt.MouseButton.LeftButton)
    assert view.pin_dialog is not None
    assert view.pin_dialog.error_label.text() == "Too many wrong PINs; try again at 22:20"
    view.pin_dialog.reject()
    clock.at = NOW + timedelta(minutes=5)
    QTest.mouseClick(view.walkin_button, Qt.MouseButton.LeftButton)
    type_pin_and_enter(qtbot, view.pin_dialog, MANAGER_PIN)
    assert view.walkin_dialog is not None and view.walkin_dialog.isVisible()


# -- staff mode -------------------------------------------------------------------------------


def test_staff_mode_in_the_header_no_reprompt_then_times_out(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, clock: Clock
) -> None:
    view = window.checkin_view
    bar = window.header.staff_mode_bar
    assert not bar.isVisible()
    QTest.mouseClick(view.sale_button, Qt.MouseButton.LeftButton)
    type_pin_and_enter(qtbot, view.pin_dialog, MANAGER_PIN)
    assert view.sale_dialog is not None
    view.sale_dialog.reject()
    clock.at = NOW + timedelta(seconds=20)
    window.tick()
    assert bar.isVisible() and bar.label.text() == "Staff: Ana Manager — ends in 1:40"
    window.grab().save("/tmp/h12c/staff-mode-header.png")
    # Within staff mode: no PIN asked.
    view.pin_dialog = None
    QTest.mouseClick(view.walkin_button, Qt.MouseButton.LeftButton)
    assert view.pin_dialog is None and view.walkin_dialog is not None
    view.walkin_dialog.reject()
    window.tick()
    assert bar.label.text() == "Staff: Ana Manager — ends in 2:00"  # use restarts the time
    clock.at = NOW + timedelta(seconds=20 + 120)
    window.tick()
    assert not bar.isVisible()
    QTest.mouseClick(view.sale_button, Qt.MouseButton.LeftButton)
    type_pin_and_enter(qtbot, view.pin_dialog, MANAGER_PIN)
    assert view.sale_dialog is not None
    view.sale_dialog.reject()
    window.tick()
    assert bar.isVisible()
    QTest.mouseClick(bar.end_button, Qt.MouseButton.LeftButton)
    assert not bar.isVisible() and desk.staff_mode.current() is None
    view.pin_dialog = None
    QTest.mouseClick(view.walkin_button, Qt.MouseButton.LeftButton)
    assert view.pin_dialog is not None and view.pin_dialog.isVisible()


def test_search_check_in_needs_staff(qtbot: QtBot, window: MainWindow, desk: KioskCore) -> None:
    view = window.checkin_view
    QTest.keyClicks(view.search_edit, "ana smi", delay=30)
    view.picker.pick_row(0)
    assert view.pin_dialog is not None and view.pin_dialog.isVisible()
    view.pin_dialog.reject()
    assert desk.sync.pending_count() == 0


# -- walk-ins ---------------------------------------------------------------------------------


def test_walkin_asks_is_this_the_member_and_uses_them(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, data: DeskData
) -> None:
    view = window.checkin_view
    QTest.mouseClick(view.walkin_button, Qt.MouseButton.LeftButton)
    type_pin_and_enter(qtbot, view.pin_dialog, MANAGER_PIN)
    dialog = view.walkin_dialog
    assert dialog is not None
    dialog.fill(
        "Annie",
        "Smith",
        phone="07700 900123",  # Ana's +44 7700 900123, written the national way
        born="12/04/1990",
        emergency="Bob Smith 07700 900999",
        card="5555",
        waiver=False,
    )
    QTest.keyClick(dialog.first_edit, Qt.Key.Key_Return, delay=HUMAN_KEY_GAP_MS)
    assert dialog.error_label.text() == "Ask them to read and accept the waiver first"
    dialog.waiver_check.setChecked(True)
    QTest.keyClick(dialog.first_edit, Qt.Key.Key_Return, delay=HUMAN_KEY_GAP_MS)
    assert dialog.isVisible() and desk.sync.pending_count() == 0  # nothing saved yet
    assert dialog.question_label.text() == "Is this Ana Smith (card 1001)?"
    assert dialog.use_existing_button.isVisible()
    dialog.resize(dialog.sizeHint())
    dialog.grab().save("/tmp/h12c/walkin-duplicate.png")
    QTest.mouseClick(dialog.use_existing_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and dialog.member is not None
    assert dialog.member.member_id == data.ana
    sale = view.sale_dialog  # on to the pass, as the same staff member: no second PIN
    assert sale is not None and sale.member_label.text() == "Ana Smith"
    assert desk.sync.pending_count() == 0
