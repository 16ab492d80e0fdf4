"""The staff desk behind a staff PIN: a member's profile, what waits to sync, this
location's review items (resolved through the server), a full class's waitlist, and the
technical messages kept off the member-facing screen."""

from __future__ import annotations

import time

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.core.kiosk import KioskCore
from desktop.core.store import OutboxRepository
from desktop.core.store.sessions import SessionRows
from desktop.ui.main_window import MainWindow
from desktop.ui.pin_dialog import NOT_RECOGNISED
from desktop.ui.views.staff_desk import NO_REVIEWS, NOTHING_WAITING
from shared.sync.snapshot import SnapshotBooking
from tests.ui.screens.conftest import Scene
from tests.unit.desktop.checkin_fakes import Clock
from tests.unit.desktop.kiosk_fakes import MANAGER_PIN, FakeServer


def _enter_pin(window: MainWindow, pin: str) -> None:
    dialog = window.pin_dialog
    assert dialog is not None and dialog.isVisible()
    QTest.keyClicks(dialog.pin_edit, pin)
    dialog.ok_button.click()
    # The PIN is checked off the UI thread: wait for its answer.
    deadline = time.monotonic() + 10
    while dialog.checking and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.005)
    assert not dialog.checking


def _open_desk(window: MainWindow) -> None:
    window.request_staff_desk()
    _enter_pin(window, MANAGER_PIN)
    assert window.views.currentWidget() is window.staff_desk


def _texts(widget: object) -> list[str]:
    return [widget.item(i).text() for i in range(widget.count())]  # type: ignore[attr-defined]


def test_the_desk_opens_only_with_a_staff_pin_and_stays_up_through_a_sync(
    qtbot: QtBot, window: MainWindow
) -> None:
    actions = [a.text() for a in window.header.staff_button.menu().actions()]
    assert "Staff desk…" in actions
    window.request_staff_desk()
    _enter_pin(window, "0000")
    assert window.pin_dialog is not None
    assert window.pin_dialog.error_label.text() == NOT_RECOGNISED
    assert window.views.currentWidget() is not window.staff_desk
    _enter_pin(window, MANAGER_PIN)
    assert window.views.currentWidget() is window.staff_desk
    assert window.staff_desk.title_label.text() == "Staff desk — Ana Manager"
    window.on_snapshot_updated()  # a sync finished: the desk is not taken away
    assert window.views.currentWidget() is window.staff_desk
    window.staff_desk.close_button.click()
    assert window.views.currentWidget() is window.checkin_view
    assert window.staff_desk.staff is None


def test_a_members_profile_shows_memberships_visits_and_bookings(
    qtbot: QtBot, window: MainWindow, kiosk: KioskCore, scene: Scene
) -> None:
    window.checkin_view.on_code_scanned("ZM000123")  # Ana checks in at the door
    _open_desk(window)
    desk = window.staff_desk
    desk.member_picker.edit.setText("Bea")
    desk.member_picker.pick_row(0)
    text = desk.profile_label.text()
    assert "Bea O&#x27;Brien" in text or "Bea O'Brien" in text
    assert "Late Spin: confirmed" in text
    desk.member_picker.edit.setText("Ana Smith")
    desk.member_picker.pick_row(0)
    text = desk.profile_label.text()
    assert "Monthly Unlimited: active" in text
    assert "admitted — not yet sent" in text
    # The member alerts spot stays empty until members carry alerts.
    assert not desk.alerts_label.isVisible()


def test_actions_waiting_to_sync_are_listed_with_their_state_and_age(
    qtbot: QtBot, window: MainWindow, clock: Clock
) -> None:
    _open_desk(window)
    desk = window.staff_desk
    assert _texts(desk.pending_list) == [NOTHING_WAITING]
    window.staff_desk.close_button.click()
    window.checkin_view.on_code_scanned("ZM000123")
    clock.advance(5 * 60)
    _open_desk(window)
    assert _texts(desk.pending_list) == ["Check-in — waiting to send — 5 min ago"]


def test_a_review_item_is_resolved_from_the_desk(
    qtbot: QtBot, window: MainWindow, fake_server: FakeServer, scene: Scene
) -> None:
    _open_desk(window)
    desk = window.staff_desk
    desk.tabs.setCurrentIndex(2)
    [row] = _texts(desk.review_list)
    assert "Ana Smith was admitted offline" in row
    desk.review_list.setCurrentRow(0)
    desk.resolve_button.click()  # no note: nothing is sent
    assert desk.review_message.text() == "Say what was done about it"
    assert fake_server.resolutions == []
    QTest.keyClicks(desk.note_edit, "spoke to Ana; she renewed")
    desk.resolve_button.click()
    [(item_id, body)] = fake_server.resolutions
    assert item_id == scene.review_item
    assert body["note"] == "spoke to Ana; she renewed"
    assert body["staff_id"] == str(desk.staff.id if desk.staff else None)
    assert _texts(desk.review_list) == [NO_REVIEWS]
    assert desk.review_message.text() == "Resolved"


def test_resolving_offline_says_so_and_keeps_the_item(
    qtbot: QtBot, window: MainWindow, fake_server: FakeServer
) -> None:
    _open_desk(window)
    desk = window.staff_desk
    fake_server.down = True
    desk.review_list.setCurrentRow(0)
    desk.note_edit.setText("done")
    desk.resolve_button.click()
    assert "server" in desk.review_message.text().lower()
    assert "Errno" not in desk.review_message.text()
    assert len(desk.review_items) == 1


def test_a_member_is_put_on_a_full_class_waitlist_from_the_desk(
    qtbot: QtBot, window: MainWindow, kiosk: KioskCore, scene: Scene
) -> None:
    _open_desk(window)
    desk = window.staff_desk
    desk.tabs.setCurrentIndex(3)
    [full] = _texts(desk.full_list)
    assert "Late Spin: full" in full
    desk.full_list.setCurrentRow(0)
    assert _texts(desk.waitlist_list) == ["#1 Dora Smithson"]
    assert not desk.waitlist_button.isEnabled()
    desk.waitlist_picker.edit.setText("Ana Smith")
    desk.waitlist_picker.pick_row(0)
    desk.waitlist_button.click()
    assert "Ana Smith joins the waitlist for Late Spin" in desk.waitlist_message.text()
    [entry] = OutboxRepository(kiosk.store.connection()).pending()
    assert entry.name == "booking.create.v1"
    assert entry.args["session_id"] == str(scene.late_spin)
    assert entry.args["member_id"] == str(scene.data.ana)
    assert entry.args["staff_id"] == str(desk.staff.id if desk.staff else None)
    # Someone already on the class is not added twice.
    desk.waitlist_picker.edit.setText("Dora")
    desk.waitlist_picker.pick_row(0)
    desk.waitlist_button.click()
    assert desk.waitlist_message.text() == "Dora Smithson is already on Late Spin"


def test_a_member_waitlisted_at_the_desk_shows_on_the_roster_at_once_then_as_the_server_says(
    qtbot: QtBot, window: MainWindow, kiosk: KioskCore, scene: Scene
) -> None:
    [before] = [v for v in kiosk.sessions.today() if v.id == scene.late_spin]
    _open_desk(window)
    desk = window.staff_desk
    desk.tabs.setCurrentIndex(3)
    desk.full_list.setCurrentRow(0)
    desk.waitlist_picker.edit.setText("Ana Smith")
    desk.waitlist_picker.pick_row(0)
    desk.waitlist_button.click()
    # At once, offline or not: waiting in line (pending), never holding a place.
    assert _texts(desk.waitlist_list) == [
        "#1 Dora Smithson",
        "Ana Smith — waitlisted (pending)",
    ]
    assert f"full, {before.waitlisted + 1} waiting" in _texts(desk.full_list)[0]
    window.header.classes_button.setChecked(True)
    classes = window.sessions_view
    [row] = [i for i, v in enumerate(classes.sessions) if v.id == scene.late_spin]
    classes.select(row)
    roster = _texts(classes.roster_list)
    assert "Ana Smith — waitlisted (pending)" in roster
    assert not any(t.startswith("Ana Smith — booked") for t in roster)
    view = classes.sessions[row]
    assert (view.booked, view.free, view.waitlisted) == (2, 0, before.waitlisted + 1)
    assert classes.title_label.text() == "Late Spin: 2/2 booked"
    [entry] = [e for e in classes.roster_entries if e.member_id == scene.data.ana]
    assert entry.pending and entry.status.value == "waitlisted"
    # The server waitlists the same booking second in line; its row is pulled.
    [sent] = OutboxRepository(kiosk.store.connection()).pending()
    with kiosk.store.transaction() as tx:
        tx.execute("DELETE FROM outbox WHERE mutation_id = ?", (sent.mutation_id,))
        SessionRows(tx).upsert_booking(
            SnapshotBooking.model_validate(
                {
                    "id": sent.args["id"],
                    "session_id": str(scene.late_spin),
                    "member_id": str(scene.data.ana),
                    "status": "waitlisted",
                    "position": 4,
                }
            )
        )
        assert SessionRows(tx).retire_decided() == 1
    classes.reload()
    roster = _texts(classes.roster_list)
    assert [t for t in roster if t.startswith("Ana Smith")] == ["Ana Smith — waitlisted (#2)"]
    # The pulled count is the server's to move (a pull brings the session's too).
    assert classes.sessions[row].waitlisted == before.waitlisted
    window.header.classes_button.setChecked(False)


def test_technical_messages_are_listed_on_the_desk_not_the_door(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.checkin_view.on_camera_error("No camera found at index 0")
    assert "index 0" not in window.checkin_view.hint_label.text()
    _open_desk(window)
    desk = window.staff_desk
    assert any("No camera found at index 0" in t for t in _texts(desk.diagnostics_list))
