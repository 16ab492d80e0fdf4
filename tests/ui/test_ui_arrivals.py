"""Every way people and scanners arrive at the kiosk: 2D scanners typing passes, card numbers
typed by hand, scans while a dialog is open, keyboard-only use and unknown cards."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.core.checkin import CheckinError
from desktop.core.kiosk import KioskCore
from desktop.core.scanning import ScanKind, ScanResult
from desktop.core.store import LocalRepository, OutboxRepository
from desktop.ui.main_window import MainWindow
from desktop.ui.style import STYLE
from shared.qr import PassClaims, PassVerdict, VerdictCode, public_key_to_b64
from tests.frames import PassFactory
from tests.ui.fake_camera import FakeCamera
from tests.ui.keys import scanner_burst
from tests.ui.windows import main_window
from tests.unit.desktop.checkin_fakes import Clock, DeskData, desk_core, seed_desk_data
from tests.unit.desktop.kiosk_fakes import MANAGER_PIN, FakeServer

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
def classes(fake_server: FakeServer) -> list[str]:
    """Two classes later today (22:15 in Auckland now), both starting with a digit "2"."""
    fake_server.add_session("Late Spin", NOW + timedelta(minutes=15), capacity=10)
    fake_server.add_session("Night Yoga", NOW + timedelta(minutes=45), capacity=10)
    return ["Late Spin", "Night Yoga"]


@pytest.fixture
def data(fake_server: FakeServer, passes: PassFactory) -> DeskData:
    fake_server.server_time = NOW
    return seed_desk_data(fake_server, NOW.date())


@pytest.fixture
def desk(
    tmp_path: Path, fake_server: FakeServer, clock: Clock, data: DeskData, classes: list[str]
) -> Iterator[KioskCore]:
    core = desk_core(tmp_path / "kiosk", fake_server, clock)
    fake_server.down = True
    # Staff mode is open, as at a staffed desk: these tests are about where keys go; the
    # tests of PIN prompts end it first.
    staff = core.pins.check(MANAGER_PIN).staff
    assert staff is not None
    core.staff_mode.begin(staff)
    yield core
    core.close()


@pytest.fixture
def window(qtbot: QtBot, desk: KioskCore, clock: Clock) -> Iterator[MainWindow]:
    with main_window(qtbot, desk, clock.now) as win:
        yield win


def scan(code: str, target: QWidget | None = None) -> None:
    """A USB scanner: the keys go wherever the focus is, fast, then Enter."""
    if target is not None:
        target.setFocus()
    widget = target or QApplication.focusWidget() or QApplication.activeWindow()
    assert widget is not None
    scanner_burst(widget, code)


# -- 2D scanners typing a pass ----------------------------------------------------------------


def test_pass_typed_by_a_2d_scanner_admits_like_the_camera(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, data: DeskData, passes: PassFactory
) -> None:
    window.wedge.buffer.max_gap = 0.5  # a loaded test machine may pause in a long burst
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
    window.wedge.buffer.max_gap = 0.5  # a loaded test machine may pause in a long burst
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


def pending_names(core: KioskCore) -> list[str]:
    return [e.name for e in OutboxRepository(core.store.connection()).pending()]


def pending_args(core: KioskCore, name: str) -> dict[str, object]:
    [entry] = [e for e in OutboxRepository(core.store.connection()).pending() if e.name == name]
    return entry.args


def type_slowly(widget: QWidget, text: str) -> None:
    """A person at the keyboard: far slower than a scanner."""
    QTest.keyClicks(widget, text, delay=70)


# -- a scanner's keystrokes never drive a list --------------------------------------------------


def test_card_digits_do_not_move_the_class_list_selection(
    qtbot: QtBot, window: MainWindow, desk: KioskCore
) -> None:
    window.header.classes_button.click()
    view = window.sessions_view
    assert view.session_list.count() == 2
    view.select(0)
    view.session_list.setFocus()
    scan("2002", view.session_list)  # every class on the list starts with "2"
    assert view.session_list.currentRow() == 0
    assert view.message_label.text().startswith("Bea O'Brien checked into Late Spin")
    # A scan while the member search has the focus goes into the class, not the search.
    view.picker.edit.setFocus()
    scan("1001", view.picker.edit)
    assert view.message_label.text().startswith("Ana Smith checked into Late Spin")
    assert view.picker.edit.text() == ""
    # A person typing at the list does not move it either.
    type_slowly(view.session_list, "22")
    assert view.session_list.currentRow() == 0


# -- a scan while a dialog is open ------------------------------------------------------------


def test_scan_while_a_dialog_is_open_is_held_until_it_closes(
    qtbot: QtBot, window: MainWindow, desk: KioskCore
) -> None:
    view = window.checkin_view
    view.open_walkin()
    dialog = view.walkin_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    type_slowly(dialog.first_edit, "Kofi")
    scan("1001", dialog.first_edit)
    assert dialog.isVisible(), "the scanner's Enter closed the dialog"
    assert dialog.first_edit.text() == "Kofi"
    assert view.pages.currentWidget() is view.ready_page
    assert pending_names(desk) == []
    dialog.reject()
    qtbot.waitUntil(lambda: view.pages.currentWidget() is view.decision)
    assert view.decision.admitted and view.decision.name_label.text() == "Ana Smith"
    assert pending_names(desk) == ["checkin.create.v1"]


def test_scan_into_a_pin_prompt_is_not_a_pin_and_waits(
    qtbot: QtBot, window: MainWindow, desk: KioskCore
) -> None:
    view = window.checkin_view
    desk.staff_mode.end()
    scan("55556666")
    view.cards.button.click()
    pin = view.cards.pin_dialog
    assert pin is not None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is pin)
    QTest.keyClicks(pin.pin_edit, "12", delay=70)
    scan("1001", pin.pin_edit)
    assert pin.isVisible() and pin.error_label.text() == ""
    assert pin.pin_edit.text() == "12"
    assert view.decision.reason_label.text().startswith("Unknown card 55556666")
    pin.reject()
    qtbot.waitUntil(lambda: view.decision.name_label.text() == "Ana Smith")
    assert view.decision.admitted


def test_scan_in_the_sale_dialog_is_its_chosen_member(
    qtbot: QtBot, window: MainWindow, desk: KioskCore
) -> None:
    view = window.checkin_view
    view.open_sale(None)
    sale = view.sale_dialog
    assert sale is not None and sale.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is sale)
    sale.cash_radio.setChecked(True)
    scan("2002", sale.member_picker.edit)
    assert sale.isVisible()
    assert sale.member is not None and sale.member.name == "Bea O'Brien"
    assert sale.member_picker.edit.text() == ""
    assert sale.cash_radio.isChecked()  # the half-done sale is kept
    assert pending_names(desk) == []
    sale.reject()
    qtbot.wait(20)
    assert view.pages.currentWidget() is view.ready_page  # nothing was held for the door


# -- card numbers typed by hand ---------------------------------------------------------------


def test_card_number_typed_by_hand_and_enter_checks_in(
    qtbot: QtBot, window: MainWindow, desk: KioskCore
) -> None:
    view = window.checkin_view
    view.search_edit.setFocus()
    type_slowly(view.search_edit, "2002")
    assert [h.name for h in view.picker.hits] == ["Bea O'Brien"]  # search finds cards
    QTest.keyClick(view.search_edit, Qt.Key.Key_Return, delay=70)
    assert view.pages.currentWidget() is view.decision
    assert view.decision.name_label.text() == "Bea O'Brien"
    [row] = LocalRepository(desk.store.connection()).checkins()
    assert row.method == "card"


def test_search_finds_printed_barcodes(window: MainWindow) -> None:
    view = window.checkin_view
    view.picker.run_search("zm000123")
    assert [h.name for h in view.picker.hits] == ["Ana Smith"]


# -- unknown cards ----------------------------------------------------------------------------


def test_unknown_card_is_assigned_by_staff_and_works_at_once(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, data: DeskData
) -> None:
    view = window.checkin_view
    desk.staff_mode.end()
    scan("55556666")
    assert not view.decision.admitted
    button = view.cards.button
    assert button.isVisible() and button.text() == "Assign this card to a member"
    button.click()
    pin = view.cards.pin_dialog
    assert pin is not None and pin.isVisible() and not view.back_timer.isActive()
    QTest.keyClicks(pin.pin_edit, MANAGER_PIN)
    pin.ok_button.click()
    qtbot.waitUntil(lambda: not pin.checking)
    dialog = view.cards.dialog
    assert dialog is not None and dialog.isVisible()
    type_slowly(dialog.picker.edit, "carl")
    dialog.picker.pick_row(0)
    assert not dialog.isVisible()
    assert view.decision.name_label.text() == "Carl Jones"
    assert pending_names(desk)[0] == "member.card.assign.v1"
    manager = desk.pins.check(MANAGER_PIN).staff
    assert manager is not None
    assert pending_args(desk, "member.card.assign.v1")["staff_id"] == str(manager.id)
    assert not button.isVisible()
    # The card is Carl's now, offline; it is no one else's to give.
    hit = desk.checkin.member_for_code("5555 6666")
    assert hit is not None and hit.member_id == data.carl
    with pytest.raises(CheckinError, match="already Carl Jones's card"):
        desk.checkin.assign_card(data.ana, "55556666")
    with pytest.raises(CheckinError, match="already Ana Smith's card"):
        desk.checkin.assign_card(data.carl, "1001")


def test_a_walk_in_names_the_staff_member_whose_pin_opened_the_form(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, clock: Clock
) -> None:
    view = window.checkin_view
    desk.staff_mode.end()
    view.open_walkin()
    pin = view.pin_dialog
    assert pin is not None
    QTest.keyClicks(pin.pin_edit, MANAGER_PIN)
    pin.ok_button.click()
    qtbot.waitUntil(lambda: not pin.checking)
    dialog = view.walkin_dialog
    assert dialog is not None and dialog.isVisible()
    # Filling the form in takes longer than staff mode lasts: the PIN still says who.
    clock.advance(180)
    assert desk.staff_mode.current() is None
    dialog.fill("Kojo", "Antwi", phone="024 777 0001")
    dialog.submit()
    assert not dialog.isVisible()
    manager = desk.pins.check(MANAGER_PIN).staff
    assert manager is not None
    assert pending_args(desk, "member.create.v1")["staff_id"] == str(manager.id)
    # Registered, the walk-in is offered a pass: not what this test is about.
    sale = view.sale_dialog
    assert sale is not None
    sale.reject()
    qtbot.waitUntil(lambda: not sale.isVisible())


def test_wrong_pin_assigns_nothing(qtbot: QtBot, window: MainWindow, desk: KioskCore) -> None:
    view = window.checkin_view
    desk.staff_mode.end()
    scan("55556666")
    view.cards.button.click()
    pin = view.cards.pin_dialog
    assert pin is not None
    QTest.keyClicks(pin.pin_edit, "0000")
    pin.ok_button.click()
    qtbot.waitUntil(lambda: not pin.checking)
    assert pin.isVisible() and view.cards.dialog is None
    pin.reject()
    assert view.back_timer.isActive()
    assert pending_names(desk) == []


# -- keyboard only ----------------------------------------------------------------------------


def test_results_are_chosen_with_the_arrows_and_enter(
    qtbot: QtBot, window: MainWindow, desk: KioskCore
) -> None:
    view = window.checkin_view
    view.search_edit.setFocus()
    type_slowly(view.search_edit, "smith")
    assert [h.name for h in view.picker.hits] == ["Ana Smith", "Dora Smithson"]
    QTest.keyClick(view.search_edit, Qt.Key.Key_Down, delay=70)
    QTest.keyClick(view.search_edit, Qt.Key.Key_Down, delay=70)
    assert view.results.currentRow() == 1
    QTest.keyClick(view.search_edit, Qt.Key.Key_Return, delay=70)
    assert view.decision.name_label.text() == "Dora Smithson"


def test_enter_choosing_a_member_in_a_dialog_does_not_close_it(
    qtbot: QtBot, window: MainWindow, desk: KioskCore
) -> None:
    view = window.checkin_view
    view.open_sale(None)
    sale = view.sale_dialog
    assert sale is not None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is sale)
    sale.member_picker.edit.setFocus()
    type_slowly(sale.member_picker.edit, "bea")
    QTest.keyClick(sale.member_picker.edit, Qt.Key.Key_Down, delay=70)
    QTest.keyClick(sale.member_picker.edit, Qt.Key.Key_Return, delay=70)
    assert sale.member is not None and sale.member.name == "Bea O'Brien"
    assert sale.isVisible()
    assert pending_names(desk) == []


def test_enter_on_the_focused_result_list_chooses(
    qtbot: QtBot, window: MainWindow, desk: KioskCore
) -> None:
    view = window.checkin_view
    view.search_edit.setFocus()
    type_slowly(view.search_edit, "smith")
    QTest.keyClick(view.search_edit, Qt.Key.Key_Tab, delay=70)
    assert QApplication.focusWidget() is view.results
    QTest.keyClick(view.results, Qt.Key.Key_Down, delay=70)
    QTest.keyClick(view.results, Qt.Key.Key_Down, delay=70)
    QTest.keyClick(view.results, Qt.Key.Key_Return, delay=70)
    assert view.decision.name_label.text() == "Dora Smithson"


def test_tab_reaches_every_control_of_the_door_in_order(qtbot: QtBot, window: MainWindow) -> None:
    view = window.checkin_view
    view.search_edit.setFocus()
    seen: list[QWidget] = []
    for _ in range(12):
        widget = QApplication.focusWidget()
        assert widget is not None
        if widget in seen:
            break
        seen.append(widget)
        QTest.keyClick(widget, Qt.Key.Key_Tab)
    wanted = [
        view.search_edit,
        view.walkin_button,
        view.sale_button,
        window.header.classes_button,
        window.header.staff_button,
    ]
    assert all(w in seen for w in wanted), [w.objectName() or w for w in seen]
    order = [seen.index(w) for w in wanted[:3]]
    assert order == sorted(order)


def test_focused_controls_show_a_focus_ring(qtbot: QtBot, window: MainWindow) -> None:
    window.setStyleSheet(STYLE)
    button = window.checkin_view.walkin_button
    window.checkin_view.search_edit.setFocus()
    plain = button.grab().toImage()
    button.setFocus()
    assert button.hasFocus()
    ringed = button.grab().toImage()
    assert plain != ringed


def test_typing_on_the_answer_screen_is_kept_as_the_next_search(
    qtbot: QtBot, window: MainWindow, desk: KioskCore
) -> None:
    view = window.checkin_view
    window.wedge.buffer.max_gap = 0.5  # a loaded test machine may pause within a burst
    scan("1001")
    scan("2002")  # a scan on the answer screen is the next check-in
    assert view.decision.name_label.text() == "Bea O'Brien"
    target = QApplication.focusWidget() or window
    type_slowly(target, "do")
    assert view.pages.currentWidget() is view.ready_page
    assert view.search_edit.text() == "do"
    assert [h.name for h in view.picker.hits] == ["Dora Smithson"]
    qtbot.waitUntil(lambda: view.search_edit.hasFocus())


def test_a_burst_is_a_scan_by_the_keys_own_time_stamps_however_busy_the_screen(
    qtbot: QtBot, window: MainWindow, desk: KioskCore
) -> None:
    """Real key events carry the window system's time: keys 5 ms apart are a scanner's
    even when the kiosk is slow to handle each one (here 120 ms a key)."""
    widget = window.checkin_view.search_edit
    widget.setFocus()
    keys = [(Qt.Key(ord(c)), c) for c in "1001"] + [(Qt.Key.Key_Return, "\r")]
    for index, (key, text) in enumerate(keys):
        event = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, text)
        event.setTimestamp(1_000_000 + 5 * index)
        QApplication.sendEvent(widget, event)
        time.sleep(0.12)
    view = window.checkin_view
    assert view.decision.admitted and view.decision.name_label.text() == "Ana Smith"
    assert widget.text() == ""


def test_a_camera_read_while_a_dialog_is_open_waits_for_it_to_close(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, data: DeskData
) -> None:
    camera = FakeCamera()
    window.connect_camera(camera)
    view = window.checkin_view
    view.open_walkin()
    dialog = view.walkin_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is dialog)
    claims = PassClaims(uuid.uuid4(), data.ana, uuid.uuid4(), NOW, 1)
    read = ScanResult(
        ScanKind.PASS_OK, "ZM1", verdict=PassVerdict(True, VerdictCode.OK, "", claims)
    )
    for _ in range(3):  # the same pass, frame after frame
        camera.result_ready.emit(read)
    assert dialog.isVisible() and view.pages.currentWidget() is view.ready_page
    assert pending_names(desk) == []
    dialog.reject()
    qtbot.waitUntil(lambda: view.pages.currentWidget() is view.decision)
    assert view.decision.admitted and view.decision.name_label.text() == "Ana Smith"
    assert pending_names(desk) == ["checkin.create.v1"]
