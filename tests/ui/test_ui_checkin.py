"""The check-in screen driven as staff and members would, with the server unreachable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.core.kiosk import KioskCore
from desktop.core.store import LocalRepository, OutboxRepository
from desktop.ui.main_window import MainWindow
from desktop.ui.views.checkin_view import NO_CAMERA
from tests.ui.fake_camera import FakeCamera
from tests.ui.keys import enter_staff_pin, scanner_burst
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
    fake_server.down = True  # everything below works from the cache and the outbox
    yield core
    core.close()


@pytest.fixture
def window(qtbot: QtBot, desk: KioskCore, clock: Clock) -> Iterator[MainWindow]:
    with main_window(qtbot, desk, clock.now) as win:
        yield win


def scan(window: MainWindow, code: str) -> None:
    """A USB scanner: the keys go wherever the focus is, fast, then Enter."""
    target: QWidget = QApplication.focusWidget() or window
    scanner_burst(target, code)


def pending_names(core: KioskCore) -> list[str]:
    return [e.name for e in OutboxRepository(core.store.connection()).pending()]


def test_scanner_keystrokes_check_in_green(
    qtbot: QtBot, window: MainWindow, desk: KioskCore
) -> None:
    view = window.checkin_view
    scan(window, "ZM000123")
    assert view.pages.currentWidget() is view.decision
    assert view.decision.admitted
    assert view.decision.verdict_label.text() == "Welcome"
    assert view.decision.name_label.text() == "Ana Smith"
    assert pending_names(desk) == ["checkin.create.v1"]
    window.tick()
    assert window.pending_label.text().startswith("Pending: 1")


def test_scan_typed_into_the_search_box_is_taken_out_again(
    qtbot: QtBot, window: MainWindow, desk: KioskCore
) -> None:
    view = window.checkin_view
    view.search_edit.setFocus()
    scanner_burst(view.search_edit, "2002")  # time-stamped: a loaded machine cannot split it
    assert view.decision.name_label.text() == "Bea O'Brien" and view.decision.admitted
    assert view.search_edit.text() == ""


def test_unknown_card_is_red(qtbot: QtBot, window: MainWindow, desk: KioskCore) -> None:
    scan(window, "99990000")
    decision = window.checkin_view.decision
    assert not decision.admitted
    assert decision.reason_label.text() == "Unknown card 99990000 — not linked to any member"
    assert decision.override_button.isHidden()
    assert desk.sync.pending_count() == 0


def test_a_person_typing_is_not_a_scan(qtbot: QtBot, window: MainWindow, desk: KioskCore) -> None:
    view = window.checkin_view
    QTest.keyClicks(view.search_edit, "smith", delay=80)
    QTest.keyClick(view.search_edit, Qt.Key.Key_Return, delay=80)
    assert view.pages.currentWidget() is view.ready_page
    assert view.search_edit.text() == "smith"
    assert [h.name for h in view.picker.hits] == ["Ana Smith", "Dora Smithson"]
    assert desk.sync.pending_count() == 0


def test_search_pick_green_then_back_to_ready(
    qtbot: QtBot, window: MainWindow, desk: KioskCore
) -> None:
    view = window.checkin_view
    QTest.keyClicks(view.search_edit, "ana smi", delay=60)
    assert view.results.count() == 1
    assert "Monthly Unlimited" in view.results.item(0).text()
    rect = view.results.visualItemRect(view.results.item(0))
    QTest.mouseClick(view.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    # Checking someone in from a search is acting for them: staff only.
    assert not view.decision.admitted and LocalRepository(desk.store.connection()).checkins() == []
    enter_staff_pin(qtbot, view.pin_dialog)
    assert view.decision.admitted and view.decision.name_label.text() == "Ana Smith"
    [row] = LocalRepository(desk.store.connection()).checkins()
    assert row.method == "search"
    view.back_timer.setInterval(50)
    view.back_timer.start()
    qtbot.waitUntil(lambda: view.pages.currentWidget() is view.ready_page)
    assert view.search_edit.text() == ""


def test_red_then_override_with_pin_and_reason_is_green(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, data: DeskData
) -> None:
    view = window.checkin_view
    QTest.keyClicks(view.search_edit, "jose", delay=60)
    view.picker.pick_row(0)
    enter_staff_pin(qtbot, view.pin_dialog)
    assert not view.decision.admitted
    assert view.decision.reason_label.text().startswith("Membership expired")
    assert view.decision.override_button.isVisible()
    desk.staff_mode.end()  # e.g. staff mode timed out: the override asks for a PIN again
    QTest.mouseClick(view.decision.override_button, Qt.MouseButton.LeftButton)
    assert view.pin_dialog is not None and not view.back_timer.isActive()
    enter_staff_pin(qtbot, view.pin_dialog)
    reason = view.reason_dialog
    assert reason is not None and reason.isVisible()
    reason.ok_button.click()  # no reason yet
    assert "Give a reason" in reason.error_label.text() and reason.isVisible()
    QTest.keyClicks(reason.reason_edit, "Renewing at the desk")
    reason.ok_button.click()
    assert view.decision.admitted and view.decision.name_label.text() == "José Núñez"
    # Recorded, and shown to the desk in its small strip, not to the member in large type.
    assert view.decision.warning_label.isHidden()
    assert view.decision.staff_label.text() == "Desk: Override by Ana Manager: Renewing at the desk"
    rows = LocalRepository(desk.store.connection()).checkins()
    assert [r.admitted for r in rows] == [False, True]
    assert rows[1].override_reason == "Renewing at the desk" and rows[1].override_staff_id


def test_walk_in_then_day_pass_then_green(
    qtbot: QtBot, window: MainWindow, desk: KioskCore
) -> None:
    view = window.checkin_view
    QTest.mouseClick(view.walkin_button, Qt.MouseButton.LeftButton)
    assert view.walkin_dialog is None
    enter_staff_pin(qtbot, view.pin_dialog)
    dialog = view.walkin_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.fill("Eve", "", phone="07700 111222")
    dialog.register_button.click()
    assert dialog.error_label.text() == "Enter the last name" and dialog.isVisible()
    dialog.fill("Ana", "Smith", email="ANA.SMITH@example.com")  # already a member
    dialog.register_button.click()
    assert "Already registered?" in dialog.error_label.text()
    assert dialog.duplicate_list.count() == 1 and desk.sync.pending_count() == 0
    dialog.fill("Eve", "Walker", phone="07700 111222")
    dialog.duplicates = []  # staff changed the details: a fresh registration
    dialog.register_button.click()
    assert not dialog.isVisible()
    sale = view.sale_dialog
    assert sale is not None and sale.isVisible()
    assert sale.member_label.text() == "Eve Walker"
    sale.sell_button.click()
    assert sale.error_label.text() == "Choose how they paid: cash or card terminal"
    sale.cash_radio.setChecked(True)
    sale.sell_button.click()
    assert not sale.isVisible()
    assert view.decision.admitted and view.decision.name_label.text() == "Eve Walker"
    assert pending_names(desk) == ["member.create.v1", "sale.create.v1", "checkin.create.v1"]


def test_guest_pass_sale_for_a_searched_member(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, data: DeskData
) -> None:
    from shared.enums import PlanKind

    view = window.checkin_view
    QTest.mouseClick(view.sale_button, Qt.MouseButton.LeftButton)
    enter_staff_pin(qtbot, view.pin_dialog)
    sale = view.sale_dialog
    assert sale is not None and sale.isVisible()
    QTest.keyClicks(sale.member_picker.edit, "carl", delay=60)
    sale.member_picker.pick_row(0)
    assert sale.member_label.text() == "Carl Jones"
    sale.select_plan(PlanKind.GUEST_PASS)
    assert sale.guest_picker.isVisible()
    sale.card_radio.setChecked(True)
    sale.sell_button.click()
    assert sale.error_label.text() == "Choose the member who brings the guest"
    QTest.keyClicks(sale.guest_picker.edit, "ana", delay=60)
    sale.guest_picker.pick_row(0)
    sale.sell_button.click()
    assert not sale.isVisible()
    assert view.decision.admitted and view.decision.name_label.text() == "Carl Jones"
    entry = next(
        e for e in OutboxRepository(desk.store.connection()).pending() if e.name == "sale.create.v1"
    )
    assert entry.args["guest_of_id"] == str(data.ana)
    assert entry.args["payment_method"] == "card_terminal" and entry.args["amount"] == "10.00"


def test_camera_frames_and_scan_results(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, data: DeskData
) -> None:
    import uuid

    from PySide6.QtGui import QImage

    from desktop.core.scanning import ScanKind, ScanResult
    from shared.qr import PassClaims, PassVerdict, VerdictCode

    camera = FakeCamera()
    window.connect_camera(camera)
    view = window.checkin_view
    frame = QImage(640, 480, QImage.Format.Format_RGB888)
    frame.fill(Qt.GlobalColor.gray)
    camera.frame_ready.emit(frame)
    assert view.camera_label.isVisible() and not view.camera_label.pixmap().isNull()

    camera.result_ready.emit(ScanResult(ScanKind.PASS_REFUSED, "x", reason="This pass has expired"))
    assert not view.decision.admitted
    assert view.decision.reason_label.text() == "This pass has expired"
    assert desk.sync.pending_count() == 0

    claims = PassClaims(uuid.uuid4(), data.ana, uuid.uuid4(), NOW, 1)
    verdict = PassVerdict(True, VerdictCode.OK, "", claims)
    camera.result_ready.emit(ScanResult(ScanKind.PASS_OK, "ZM1", verdict=verdict))
    assert view.decision.admitted and view.decision.name_label.text() == "Ana Smith"
    assert LocalRepository(desk.store.connection()).checkins()[0].method == "qr"

    # Issue 12 moved the technical cause to the staff side: members read plain words.
    camera.camera_error.emit("No camera found at index 0: scanners and search still work")
    assert view.hint_label.text() == NO_CAMERA
    assert "index 0" not in view.hint_label.text()
    assert window.diagnostics.entries[-1][1].startswith("No camera found at index 0")


def test_a_member_scanned_again_is_already_checked_in_and_nothing_is_taken(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, clock: Clock, tmp_path: Path
) -> None:
    view = window.checkin_view
    scan(window, "2002")  # Bea: a pack with one credit left
    assert view.decision.admitted
    clock.advance(180)  # found again three minutes later: not a double scan
    window.tick()
    scan(window, "2002")
    assert view.decision.admitted and view.decision.verdict_label.text() == "Welcome"
    assert view.decision.warning_label.text() == "Already checked in at 22:15"
    rows = LocalRepository(desk.store.connection()).checkins()
    assert [(r.membership_id is None, r.repeat_of == rows[0].id) for r in rows] == [
        (False, False),
        (True, True),
    ]
    window.resize(1366, 768)
    window.grab().save(str(tmp_path / "door-already-in.png"))
