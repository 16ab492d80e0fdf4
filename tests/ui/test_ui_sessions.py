"""The classes screen driven as front-desk staff would, with the server unreachable: today's
and tomorrow's sessions with live places, the roster, check-in from the roster and by
scanning, and booking walk-ins."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QListWidget
from pytestqt.qtbot import QtBot

from desktop.core.kiosk import KioskCore
from desktop.core.store import OutboxRepository
from desktop.ui.main_window import MainWindow
from tests.ui.keys import HUMAN_KEY_GAP_MS
from tests.ui.windows import main_window
from tests.unit.desktop.checkin_fakes import Clock, DeskData, desk_core, seed_desk_data
from tests.unit.desktop.kiosk_fakes import MANAGER_PIN, FakeServer

#: 09:15 UTC on Wednesday 8 January 2025 is 22:15 the same day in Auckland.
NOW = datetime(2025, 1, 8, 9, 15, tzinfo=UTC)


@dataclass
class Classes:
    late_spin: uuid.UUID  # today 22:30 local, 2 places, Bea booked
    morning_yoga: uuid.UUID  # tomorrow 07:00 local


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def data(fake_server: FakeServer) -> DeskData:
    fake_server.server_time = NOW
    return seed_desk_data(fake_server, NOW.date())


@pytest.fixture
def classes(fake_server: FakeServer, data: DeskData) -> Classes:
    spin = fake_server.add_session("Late Spin", NOW + timedelta(minutes=15), capacity=2)
    fake_server.class_sessions[-1]["confirmed_count"] = 1
    fake_server.add_booking(spin, data.bea, 1)
    yoga = fake_server.add_session(
        "Morning Yoga", NOW + timedelta(hours=8, minutes=45), capacity=12
    )
    return Classes(spin, yoga)


@pytest.fixture
def desk(
    tmp_path: Path, fake_server: FakeServer, clock: Clock, classes: Classes
) -> Iterator[KioskCore]:
    core = desk_core(tmp_path / "kiosk", fake_server, clock)
    fake_server.down = True  # everything below works from the cache and the outbox
    # Staff work this screen: staff mode is open (see the last test for the PIN).
    staff = core.pins.check(MANAGER_PIN).staff
    assert staff is not None
    core.staff_mode.begin(staff)
    yield core
    core.close()


@pytest.fixture
def window(qtbot: QtBot, desk: KioskCore, clock: Clock) -> Iterator[MainWindow]:
    with main_window(qtbot, desk, clock.now) as win:
        win.header.classes_button.click()
        yield win


def _texts(widget: QListWidget) -> list[str]:
    return [widget.item(i).text() for i in range(widget.count())]


def _names(desk: KioskCore) -> list[str]:
    return [e.name for e in OutboxRepository(desk.store.connection()).pending()]


def test_today_and_tomorrow_list_their_classes_with_places(window: MainWindow) -> None:
    view = window.sessions_view
    assert window.views.currentWidget() is view
    assert window.header.classes_button.text() == "Door"
    assert _texts(view.session_list) == [
        "22:30–23:15  Late Spin with Ben Coach, Studio 1\n1/2 booked, 1 free"
    ]
    view.tomorrow_button.click()
    assert _texts(view.session_list) == [
        "07:00–07:45  Morning Yoga with Ben Coach, Studio 1\n0/12 booked, 12 free"
    ]
    window.header.classes_button.click()
    assert window.views.currentWidget() is window.checkin_view


def test_check_in_from_the_roster_marks_the_booking_attended(
    window: MainWindow, desk: KioskCore
) -> None:
    view = window.sessions_view
    view.select(0)
    assert view.title_label.text() == "Late Spin: 1/2 booked"
    assert _texts(view.roster_list) == ["Bea O'Brien — booked"]
    view.roster_list.setCurrentRow(0)
    view.check_in_button.click()
    assert view.message_label.text() == "Bea O'Brien checked into Late Spin"
    assert _texts(view.roster_list) == ["Bea O'Brien — checked in (not synced yet)"]
    assert _names(desk) == ["checkin.create.v1", "booking.attend.v1"]
    view.roster_list.setCurrentRow(0)
    view.check_in_button.click()
    assert view.message_label.text() == "Bea O'Brien is already checked into Late Spin"
    assert len(_names(desk)) == 2


def test_a_member_without_a_booking_is_booked_and_checked_in_until_the_class_is_full(
    window: MainWindow, desk: KioskCore, qtbot: QtBot
) -> None:
    view = window.sessions_view
    view.select(0)
    QTest.keyClicks(view.picker.edit, "ana smi")
    view.picker.pick_row(0)
    assert view.chosen_label.text() == "Selected: Ana Smith"
    view.attend_button.click()
    assert view.message_label.text() == "Ana Smith checked into Late Spin (booked now)"
    assert _texts(view.session_list)[0].endswith("2/2 booked, full")
    assert "Ana Smith — checked in (not synced yet)" in _texts(view.roster_list)
    assert _names(desk) == ["checkin.create.v1", "booking.create.v1", "booking.attend.v1"]
    view.picker.clear()
    QTest.keyClicks(view.picker.edit, "carl")
    view.picker.pick_row(0)
    view.book_button.click()
    assert view.message_label.text() == "Late Spin is full"
    assert len(_names(desk)) == 3


def test_booking_a_walk_in_into_a_class_with_free_places(
    window: MainWindow, desk: KioskCore, qtbot: QtBot
) -> None:
    view = window.sessions_view
    view.tomorrow_button.click()
    view.select(0)
    QTest.keyClicks(view.picker.edit, "ana")
    view.picker.pick_row(0)
    view.book_button.click()
    assert view.message_label.text() == "Ana Smith booked into Morning Yoga"
    assert _texts(view.roster_list) == ["Ana Smith — booked (not synced yet)"]
    assert _texts(view.session_list)[0].endswith("1/12 booked, 11 free")
    # A brand-new walk-in has no membership yet: the kiosk says so and books nothing.
    view.walkin_button.click()
    dialog = view.walkin_dialog
    assert dialog is not None
    dialog.fill("Nia", "Walker", phone="+233 24 123 4567")
    dialog.register_button.click()
    assert view.chosen_label.text() == "Selected: Nia Walker"
    assert view.message_label.text().startswith("Nia Walker cannot book Morning Yoga")
    assert "Sell a pass first" in view.message_label.text()
    assert _names(desk) == ["booking.create.v1", "member.create.v1"]


def test_a_walk_in_for_a_class_today_buys_a_day_pass_and_is_booked(
    window: MainWindow, desk: KioskCore, qtbot: QtBot
) -> None:
    view = window.sessions_view
    view.select(0)  # Late Spin, today, one place left
    view.walkin_button.click()
    dialog = view.walkin_dialog
    assert dialog is not None
    dialog.fill("Nia", "Walker", phone="+233 24 123 4567")
    dialog.register_button.click()
    # No membership: instead of a refusal, the day pass sale opens for them.
    sale = view.sale_dialog
    assert sale is not None and sale.isVisible() and view.dialogs_open()
    assert sale.member_label.text() == "Nia Walker"
    assert sale.plan_combo.currentText().startswith("Day Pass")
    assert view.message_label.text() == (
        "Nia Walker needs a pass for this class: take payment to book them"
    )
    assert _names(desk) == ["member.create.v1"]
    sale.cash_radio.setChecked(True)
    sale.sell_button.click()
    assert not sale.isVisible() and not view.dialogs_open()
    assert view.message_label.text() == "Nia Walker booked into Late Spin"
    assert "Nia Walker — booked (not synced yet)" in _texts(view.roster_list)
    assert _texts(view.session_list)[0].endswith("2/2 booked, full")
    assert _names(desk) == [
        "member.create.v1",
        "sale.create.v1",
        "checkin.create.v1",
        "booking.create.v1",
    ]


def test_a_walk_in_who_does_not_pay_is_not_booked(
    window: MainWindow, desk: KioskCore, qtbot: QtBot
) -> None:
    view = window.sessions_view
    view.select(0)
    view.walkin_button.click()
    assert view.walkin_dialog is not None
    view.walkin_dialog.fill("Ola", "Mensah", phone="+233 20 765 4321")
    view.walkin_dialog.register_button.click()
    sale = view.sale_dialog
    assert sale is not None and sale.isVisible()
    sale.reject()
    assert _names(desk) == ["member.create.v1"]
    assert not any(t.startswith("Ola Mensah") for t in _texts(view.roster_list))


def test_a_card_scanned_while_a_class_is_selected_checks_into_it(
    window: MainWindow, desk: KioskCore, qtbot: QtBot
) -> None:
    view = window.sessions_view
    window._code_scanned("1001")
    assert "Pick a class" in view.message_label.text()
    assert _names(desk) == []
    view.select(0)
    window._code_scanned("1001")
    assert view.message_label.text() == "Ana Smith checked into Late Spin (booked now)"
    window._code_scanned("9999")
    assert view.message_label.text().startswith("Not admitted")
    assert _names(desk) == ["checkin.create.v1", "booking.create.v1", "booking.attend.v1"]
    assert view.session_list.currentRow() == 0
    assert view.roster_list.count() == 2
    assert view.roster_list.item(1).data(Qt.ItemDataRole.DisplayRole).startswith("Ana Smith")


def test_a_scan_with_tomorrows_class_selected_is_refused_and_books_nothing(
    window: MainWindow, desk: KioskCore, tmp_path: Path
) -> None:
    view = window.sessions_view
    view.tomorrow_button.click()
    view.select(0)
    window._code_scanned("1001")
    assert view.message_label.text() == "Check-in for Morning Yoga opens at 06:00 on Thursday 9"
    assert _names(desk) == []
    assert not any(t.startswith("Ana Smith") for t in _texts(view.roster_list))
    window.resize(1366, 768)
    window.grab().save(str(tmp_path / "classes-refused.png"))


def test_acting_for_members_needs_a_staff_pin_outside_staff_mode(
    window: MainWindow, desk: KioskCore, qtbot: QtBot
) -> None:
    view = window.sessions_view
    desk.staff_mode.end()
    view.select(0)
    view.roster_list.setCurrentRow(0)
    view.check_in_button.click()
    dialog = view.pin_dialog
    assert dialog is not None and dialog.isVisible() and _names(desk) == []
    QTest.keyClicks(dialog.pin_edit, MANAGER_PIN)
    QTest.keyClick(dialog.pin_edit, Qt.Key.Key_Return, delay=HUMAN_KEY_GAP_MS)
    qtbot.waitUntil(lambda: not dialog.checking)
    assert view.message_label.text() == "Bea O'Brien checked into Late Spin"
    QTest.keyClicks(view.picker.edit, "carl")
    view.picker.pick_row(0)
    view.pin_dialog = None
    view.book_button.click()  # staff mode is open now: no second PIN
    assert view.pin_dialog is None
