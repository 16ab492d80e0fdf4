"""Classes at this location: today's and tomorrow's sessions with live places, the selected
session's roster with check-in, and booking walk-ins. Everything works offline (the core
reads the local cache and writes the outbox); a scan while a session is selected checks the
member into it."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.checkin import MemberHit
from desktop.core.checkin.periods import zone
from desktop.core.kiosk import KioskCore, user_message
from desktop.core.sessions import NeedsPass, RosterEntry, SessionCheckin, SessionView
from desktop.core.staff_pins import StaffMember
from desktop.ui.pin_dialog import PinDialog
from desktop.ui.staff_gate import require_staff
from desktop.ui.views.member_picker import MemberPicker
from desktop.ui.views.sale_dialog import SaleDialog
from desktop.ui.views.walkin_dialog import WalkinDialog
from shared.enums import CheckinMethod, PlanKind

log = logging.getLogger(__name__)
PICK_SESSION = "Pick a class to see who is booked"
NO_MORE_TODAY = "No more classes today"
NONE_TOMORROW = "No classes tomorrow"


def session_text(view: SessionView, timezone: str) -> str:
    tz = zone(timezone)
    start = view.starts_at.astimezone(tz).strftime("%H:%M")
    end = view.ends_at.astimezone(tz).strftime("%H:%M")
    who = f" with {view.instructor_name}" if view.instructor_name else ""
    where = f", {view.room}" if view.room else ""
    if view.cancelled:
        places = "cancelled"
    else:
        places = f"{view.booked}/{view.capacity} booked"
        places += f", {view.free} free" if view.free else ", full"
        if view.waitlisted:
            places += f", {view.waitlisted} waiting"
    return f"{start}–{end}  {view.name}{who}{where}\n{places}"


def roster_text(entry: RosterEntry) -> str:
    return f"{entry.member_name} — {entry.state}"


class SessionsView(QWidget):
    def __init__(
        self, core: KioskCore, now: Callable[[], datetime], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sessionsView")
        self._core = core
        self._now = now
        self.tomorrow = False
        self.sessions: list[SessionView] = []
        self.selected: uuid.UUID | None = None
        self.roster_entries: list[RosterEntry] = []
        self.chosen: MemberHit | None = None
        self.walkin_dialog: WalkinDialog | None = None
        self.pin_dialog: PinDialog | None = None
        self.sale_dialog: SaleDialog | None = None

        self.today_button = QPushButton("Today")
        self.tomorrow_button = QPushButton("Tomorrow")
        days = QButtonGroup(self)
        for i, button in enumerate((self.today_button, self.tomorrow_button)):
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            days.addButton(button, i)
        self.today_button.setChecked(True)
        days.idClicked.connect(lambda i: self.show_day(tomorrow=bool(i)))
        self.session_list = QListWidget()
        self.session_list.setObjectName("sessionList")
        self.session_list.currentRowChanged.connect(self._session_picked)
        # Long class names wrap onto more lines rather than being cut at the list's edge.
        self.session_list.setWordWrap(True)
        self.session_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.session_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.empty_label = QLabel(NO_MORE_TODAY)
        self.empty_label.setObjectName("noSessions")
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()

        self.title_label = QLabel(PICK_SESSION)
        self.title_label.setObjectName("sessionTitle")
        self.title_label.setWordWrap(True)
        self.roster_list = QListWidget()
        self.roster_list.setObjectName("rosterList")
        self.roster_list.setWordWrap(True)
        self.roster_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.check_in_button = QPushButton("Check in selected")
        self.check_in_button.clicked.connect(self.check_in_selected)
        self.picker = MemberPicker(self._core, "Find someone to check in or book")
        self.picker.picked.connect(self.choose)
        self.chosen_label = QLabel("")
        self.book_button = QPushButton("Book into this class")
        self.book_button.clicked.connect(self.book_chosen)
        self.attend_button = QPushButton("Check into this class")
        self.attend_button.clicked.connect(self.check_in_chosen)
        self.walkin_button = QPushButton("New walk-in…")
        self.walkin_button.clicked.connect(self.open_walkin)
        self.message_label = QLabel("")
        self.message_label.setObjectName("sessionMessage")
        self.message_label.setWordWrap(True)
        for button in (self.check_in_button, self.book_button, self.attend_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        left = QVBoxLayout()
        day_row = QHBoxLayout()
        day_row.addWidget(self.today_button)
        day_row.addWidget(self.tomorrow_button)
        left.addLayout(day_row)
        left.addWidget(self.empty_label)
        left.addWidget(self.session_list, 1)
        right = QVBoxLayout()
        right.addWidget(self.title_label)
        right.addWidget(self.roster_list, 2)
        right.addWidget(self.check_in_button)
        right.addWidget(self.picker, 1)
        self.chosen_label.setWordWrap(True)
        right.addWidget(self.chosen_label)
        # Two buttons a row: three side by side do not fit beside the class list at 1280 px.
        actions = QGridLayout()
        actions.addWidget(self.attend_button, 0, 0)
        actions.addWidget(self.book_button, 0, 1)
        actions.addWidget(self.walkin_button, 1, 0, 1, 2)
        right.addLayout(actions)
        right.addWidget(self.message_label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addLayout(left, 2)
        layout.addLayout(right, 3)
        self._enable()

    # -- showing -----------------------------------------------------------------------------

    def show_day(self, *, tomorrow: bool) -> None:
        self.tomorrow = tomorrow
        self.selected = None
        self.reload()

    def reload(self) -> None:
        """Re-read the day's sessions and the selected roster (after a sync or an action)."""
        try:
            self.sessions = (
                self._core.sessions.tomorrow() if self.tomorrow else self._core.sessions.today()
            )
        except Exception:
            log.exception("Reading the sessions failed")
            self.sessions = []
        location = self._core.location()
        timezone = location.timezone if location else "UTC"
        keep = self.selected
        self.session_list.blockSignals(True)
        self.session_list.clear()
        for view in self.sessions:
            item = QListWidgetItem(session_text(view, timezone))
            item.setData(Qt.ItemDataRole.UserRole, str(view.id))
            self.session_list.addItem(item)
        rows = [i for i, v in enumerate(self.sessions) if v.id == keep]
        self.session_list.setCurrentRow(rows[0] if rows else -1)
        self.session_list.blockSignals(False)
        self.selected = keep if rows else None
        self.empty_label.setText(NONE_TOMORROW if self.tomorrow else NO_MORE_TODAY)
        now = self._now()
        # Today's list keeps the classes already over (their rosters); none still to come
        # reads as "No more classes today".
        self.empty_label.setVisible(not any(v.ends_at > now for v in self.sessions))
        self._show_roster()

    def select(self, row: int) -> None:
        self.session_list.setCurrentRow(row)

    def _session_picked(self, row: int) -> None:
        self.selected = self.sessions[row].id if 0 <= row < len(self.sessions) else None
        self.message_label.setText("")
        self._show_roster()

    def _show_roster(self) -> None:
        self.roster_list.clear()
        self.roster_entries = []
        if self.selected is None:
            self.title_label.setText(PICK_SESSION)
        else:
            view = next(v for v in self.sessions if v.id == self.selected)
            self.title_label.setText(f"{view.name}: {view.booked}/{view.capacity} booked")
            self.roster_entries = self._core.sessions.roster(view.id)
            for entry in self.roster_entries:
                self.roster_list.addItem(roster_text(entry))
        self._enable()

    def _enable(self) -> None:
        picked = self.selected is not None
        self.check_in_button.setEnabled(picked)
        for button in (self.book_button, self.attend_button):
            button.setEnabled(picked and self.chosen is not None)
        self.walkin_button.setEnabled(picked)

    # -- actions -----------------------------------------------------------------------------

    def choose(self, hit: MemberHit) -> None:
        self.chosen = hit
        self.chosen_label.setText(f"Selected: {hit.name}")
        self._enable()

    def check_in_selected(self) -> None:
        row = self.roster_list.currentRow()
        if self.selected is None or not 0 <= row < len(self.roster_entries):
            self.message_label.setText("Select someone on the list first")
            return
        entry, session_id = self.roster_entries[row], self.selected
        self._as_staff(
            "check in a member from the list",
            lambda: self._core.sessions.check_in(session_id, entry.member_id, CheckinMethod.MANUAL),
        )

    def check_in_chosen(self) -> None:
        if self.selected is None or self.chosen is None:
            return
        session_id, member_id = self.selected, self.chosen.member_id
        self._as_staff(
            "check in a member found by search",
            lambda: self._core.sessions.check_in(session_id, member_id, CheckinMethod.SEARCH),
        )

    def book_chosen(self) -> None:
        if self.selected is None or self.chosen is None:
            return
        session_id, member = self.selected, self.chosen
        self._as_staff("book a class", lambda: self._book_or_sell(session_id, member))

    def _as_staff(self, purpose: str, action: Any) -> None:
        """Acting for a member is for staff: a PIN, or staff mode already open."""
        self.pin_dialog = require_staff(self, self._core, purpose, lambda _s: self._run(action))

    def _book_or_sell(self, session_id: uuid.UUID, member: MemberHit) -> Any:
        """Book; someone with nothing that admits them to a class today (a walk-in) is
        offered a day pass first, and booked the moment it is paid for."""
        try:
            return self._core.sessions.book(session_id, member.member_id)
        except NeedsPass as needs:
            if not needs.today or not self._core.checkin.pass_plans():
                raise
        staff = self._core.staff_mode.current()
        dialog = SaleDialog(self._core, member, self, staff=staff)
        dialog.select_plan(PlanKind.DAY_PASS)
        dialog.accepted.connect(
            lambda: self._run(lambda: self._core.sessions.book(session_id, member.member_id))
        )
        self.sale_dialog = dialog
        dialog.open()
        return f"{member.name} needs a pass for this class: take payment to book them"

    def open_walkin(self) -> None:
        self.pin_dialog = require_staff(self, self._core, "register a walk-in", self._walkin)

    def _walkin(self, staff: StaffMember) -> None:
        dialog = WalkinDialog(self._core, self, staff=staff)

        def registered() -> None:
            if dialog.member is not None:
                self.choose(dialog.member)
                self.book_chosen()

        dialog.accepted.connect(registered)
        self.walkin_dialog = dialog
        dialog.open()

    @Slot(str)
    def on_code_scanned(self, code: str) -> None:
        """A card or barcode scanned while this view shows: into the selected class."""
        if self.selected is None:
            self.message_label.setText(PICK_SESSION + " before scanning")
            return
        session_id = self.selected
        self._run(lambda: self._core.sessions.check_in_code(session_id, code))

    @Slot(object)
    def on_scan_result(self, result: Any) -> None:
        if self.selected is None:
            return
        session_id = self.selected
        self._run(lambda: self._core.sessions.check_in_scan(session_id, result))

    def _run(self, action: Callable[[], Any]) -> None:
        try:
            result = action()
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                log.exception("Session action failed")
                message = "Something went wrong; ask a member of staff"
            self.message_label.setText(message)
            return
        self.message_label.setText(_describe(result))
        self.reload()

    def dialogs_open(self) -> bool:
        return any(
            isinstance(dialog, QDialog) and dialog.isVisible()
            for dialog in (self.walkin_dialog, self.sale_dialog)
        )


def _describe(result: Any) -> str:
    if isinstance(result, SessionCheckin):
        outcome = result.outcome
        name = outcome.member_name or "This member"
        if result.already:
            return f"{name} is already checked into {result.session.name}"
        if not outcome.admitted:
            return f"Not admitted: {outcome.reason}"
        booked = " (booked now)" if result.booked_now else ""
        return f"{name} checked into {result.session.name}{booked}"
    if result is None:
        return ""
    if isinstance(result, str):
        return result
    return f"{result.member_name} booked into {result.session.name}"
