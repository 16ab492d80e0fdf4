"""The staff desk, behind a staff PIN: look a member up (profile, memberships, visits,
bookings, alerts), see what waits to sync, resolve this location's review items, put people
on a full class's waitlist, and read the kiosk's technical messages."""

from __future__ import annotations

import html
import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.checkin import MemberHit
from desktop.core.checkin.periods import zone
from desktop.core.desk import MemberProfile
from desktop.core.kiosk import KioskCore, user_message
from desktop.core.staff_pins import StaffMember
from desktop.ui.diagnostics import Diagnostics
from desktop.ui.views.member_picker import MemberPicker

log = logging.getLogger(__name__)

PICK_MEMBER = "Search for a member to see their profile"
NOTHING_WAITING = "Nothing waiting: everything is synced"
NO_REVIEWS = "No review items for this location"
NO_FULL_CLASSES = "No full classes today or tomorrow"


def _wrapping_list(name: str) -> QListWidget:
    widget = QListWidget()
    widget.setObjectName(name)
    widget.setWordWrap(True)
    widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return widget


class StaffDeskView(QWidget):
    #: Staff are done: back to the door.
    closed = Signal()

    def __init__(
        self,
        core: KioskCore,
        diagnostics: Diagnostics,
        now: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("staffDesk")
        self._core = core
        self._diagnostics = diagnostics
        self._now = now
        #: Who opened the desk with their PIN (recorded on what they do here).
        self.staff: StaffMember | None = None
        self.profile: MemberProfile | None = None

        self.title_label = QLabel("Staff desk")
        self.title_label.setObjectName("deskTitle")
        self.title_label.setWordWrap(True)
        self.close_button = QPushButton("Back to the door")
        self.close_button.clicked.connect(self.closed.emit)
        top = QHBoxLayout()
        top.addWidget(self.title_label, 1)
        top.addWidget(self.close_button)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("deskTabs")
        self.tabs.addTab(self._member_tab(), "Member")
        self.tabs.addTab(self._pending_tab(), "To sync")
        self.tabs.addTab(self._review_tab(), "Review")
        self.tabs.addTab(self._waitlist_tab(), "Waitlists")
        self.tabs.addTab(self._diagnostics_tab(), "Diagnostics")
        self.tabs.currentChanged.connect(lambda _i: self.refresh())
        # Only while staff look at the desk (it re-reads everything when opened): a message
        # may arrive as the program shuts down, after the database has closed.
        diagnostics.changed.connect(self._diagnostics_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

    # -- tabs ------------------------------------------------------------------------------

    def _member_tab(self) -> QWidget:
        self.member_picker = MemberPicker(self._core, "Search by name, phone or email")
        self.member_picker.picked.connect(self.show_member)
        #: MEMBER ALERTS: staff alerts and notes ("waiver missing", "balance due") for the
        #: member shown; desk side only.
        self.alerts_label = QLabel("")
        self.alerts_label.setObjectName("memberAlerts")
        self.alerts_label.setWordWrap(True)
        self.alerts_label.hide()
        self.profile_label = QLabel(PICK_MEMBER)
        self.profile_label.setObjectName("memberProfile")
        self.profile_label.setWordWrap(True)
        self.profile_label.setTextFormat(Qt.TextFormat.RichText)
        self.profile_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.addWidget(self.alerts_label)
        inner_layout.addWidget(self.profile_label, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        tab = QWidget()
        row = QHBoxLayout(tab)
        row.addWidget(self.member_picker, 2)
        row.addWidget(scroll, 3)
        return tab

    def _pending_tab(self) -> QWidget:
        self.pending_list = _wrapping_list("pendingActions")
        tab = QWidget()
        QVBoxLayout(tab).addWidget(self.pending_list)
        return tab

    def _review_tab(self) -> QWidget:
        self.review_list = _wrapping_list("reviewList")
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("What was done about it")
        self.resolve_button = QPushButton("Resolve")
        self.resolve_button.clicked.connect(self.resolve_selected)
        self.review_message = QLabel("")
        self.review_message.setObjectName("deskMessage")
        self.review_message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.note_edit, 1)
        row.addWidget(self.resolve_button)
        tab = QWidget()
        column = QVBoxLayout(tab)
        column.addWidget(self.review_list, 1)
        column.addLayout(row)
        column.addWidget(self.review_message)
        return tab

    def _waitlist_tab(self) -> QWidget:
        self.full_list = _wrapping_list("fullClasses")
        self.full_list.currentRowChanged.connect(lambda _r: self._show_waitlist())
        self.waitlist_list = _wrapping_list("waitlist")
        self.waitlist_picker = MemberPicker(self._core, "Who should wait for a place?")
        self.waitlist_picker.picked.connect(self._choose_waiting)
        self.waitlist_chosen: MemberHit | None = None
        self.waitlist_button = QPushButton("Add to the waitlist")
        self.waitlist_button.clicked.connect(self.add_to_waitlist)
        self.waitlist_message = QLabel("")
        self.waitlist_message.setObjectName("deskMessage")
        self.waitlist_message.setWordWrap(True)
        self.full_sessions: list[uuid.UUID] = []
        left = QVBoxLayout()
        left.addWidget(self.full_list, 1)
        left.addWidget(self.waitlist_list, 1)
        right = QVBoxLayout()
        right.addWidget(self.waitlist_picker, 1)
        right.addWidget(self.waitlist_button)
        right.addWidget(self.waitlist_message)
        tab = QWidget()
        row = QHBoxLayout(tab)
        row.addLayout(left, 1)
        row.addLayout(right, 1)
        return tab

    def _diagnostics_tab(self) -> QWidget:
        self.diagnostics_list = _wrapping_list("diagnosticsList")
        tab = QWidget()
        QVBoxLayout(tab).addWidget(self.diagnostics_list)
        return tab

    # -- showing ---------------------------------------------------------------------------

    def open_for(self, staff: StaffMember) -> None:
        self.staff = staff
        self.title_label.setText(f"Staff desk — {staff.name}")
        self.refresh()

    def refresh(self) -> None:
        self._show_pending()
        self._show_reviews()
        self._show_full_classes()
        self._show_diagnostics()
        if self.profile is not None:
            self.show_member_id(self.profile.member.id)

    def _local(self, at: datetime) -> str:
        location = self._core.location()
        tz = zone(location.timezone if location else "UTC")
        return at.astimezone(tz).strftime("%a %d %b %H:%M")

    def show_member(self, hit: MemberHit) -> None:
        self.show_member_id(hit.member_id)

    def show_member_id(self, member_id: uuid.UUID) -> None:
        self._core.staff_mode.use()  # work at the desk keeps staff mode open
        try:
            self.profile = self._core.desk.profile(member_id)
        except Exception as exc:
            self.profile_label.setText(html.escape(self._message(exc)))
            return
        p = self.profile
        self.alerts_label.setText("\n".join(f"⚠ {a}" for a in p.alerts))
        self.alerts_label.setVisible(bool(p.alerts))
        m = p.member
        lines = [f"<b>{html.escape(m.display_name)}</b>"]
        for label, value in (
            ("Phone", m.phone),
            ("Email", m.email),
            ("Card", m.card_number),
            ("Barcode", m.barcode),
        ):
            if value:
                lines.append(f"{label}: {html.escape(value)}")
        lines.append("<br><b>Memberships</b>")
        for ms in p.memberships or []:
            until = f", until {ms.ends_on:%d %b %Y}" if ms.ends_on else ""
            credits = (
                f", {ms.credits_remaining} credits left" if ms.credits_remaining is not None else ""
            )
            lines.append(f"{html.escape(ms.plan.name)}: {ms.status.value}{until}{credits}")
        if not p.memberships:
            lines.append("None")
        lines.append("<br><b>Recent visits</b>")
        for v in p.visits:
            what = "admitted" if v.admitted else f"refused ({html.escape(v.reason)})"
            unsent = " — not yet sent" if v.pending else ""
            lines.append(f"{self._local(v.occurred_at)}: {what}{unsent}")
        if not p.visits:
            lines.append("None")
        lines.append("<br><b>Bookings</b>")
        for b in p.bookings:
            lines.append(f"{self._local(b.starts_at)} {html.escape(b.session_name)}: {b.status}")
        if not p.bookings:
            lines.append("None")
        self.profile_label.setText("<br>".join(lines))

    def _show_pending(self) -> None:
        self.pending_list.clear()
        actions = self._core.desk.pending_actions()
        for action in actions:
            self.pending_list.addItem(f"{action.what} — {action.state} — {action.age}")
        if not actions:
            self.pending_list.addItem(NOTHING_WAITING)

    def _show_reviews(self) -> None:
        self.review_list.clear()
        self.review_items = self._core.desk.review_items()
        for item in self.review_items:
            entry = QListWidgetItem(f"{self._local(item.created_at)}: {item.summary}")
            entry.setData(Qt.ItemDataRole.UserRole, str(item.id))
            self.review_list.addItem(entry)
        if not self.review_items:
            self.review_list.addItem(NO_REVIEWS)
        self.resolve_button.setEnabled(bool(self.review_items))

    def _show_full_classes(self) -> None:
        keep = self.selected_full_session()
        self.full_list.blockSignals(True)
        self.full_list.clear()
        sessions = [
            s
            for s in self._core.sessions.today() + self._core.sessions.tomorrow()
            if s.free == 0 and not s.cancelled and s.ends_at > self._now()
        ]
        self.full_sessions = [s.id for s in sessions]
        for s in sessions:
            self.full_list.addItem(
                f"{self._local(s.starts_at)} {s.name}: full, {s.waitlisted} waiting"
            )
        if not sessions:
            self.full_list.addItem(NO_FULL_CLASSES)
        if keep in self.full_sessions:
            self.full_list.setCurrentRow(self.full_sessions.index(keep))
        self.full_list.blockSignals(False)
        self._show_waitlist()

    def selected_full_session(self) -> uuid.UUID | None:
        row = self.full_list.currentRow()
        return self.full_sessions[row] if 0 <= row < len(self.full_sessions) else None

    def _show_waitlist(self) -> None:
        self.waitlist_list.clear()
        session_id = self.selected_full_session()
        if session_id is not None:
            for entry in self._core.desk.waitlist(session_id):
                if entry.waitlist_place is None:
                    self.waitlist_list.addItem(f"{entry.member_name} — {entry.state}")
                else:
                    self.waitlist_list.addItem(f"#{entry.waitlist_place} {entry.member_name}")
        self.waitlist_button.setEnabled(session_id is not None and self.waitlist_chosen is not None)

    def _choose_waiting(self, hit: MemberHit) -> None:
        self.waitlist_chosen = hit
        self.waitlist_message.setText(f"Selected: {hit.name}")
        self._show_waitlist()

    def _diagnostics_changed(self) -> None:
        if self.isVisible():
            self._show_diagnostics()

    def _show_diagnostics(self) -> None:
        self.diagnostics_list.clear()
        for at, message in reversed(self._diagnostics.entries):
            self.diagnostics_list.addItem(f"{self._local(at)}: {message}")
        if not self._diagnostics.entries:
            self.diagnostics_list.addItem("No technical messages")

    # -- actions ---------------------------------------------------------------------------

    def resolve_selected(self) -> None:
        self._core.staff_mode.use()  # work at the desk keeps staff mode open
        row = self.review_list.currentRow()
        if not 0 <= row < len(self.review_items) or self.staff is None:
            self.review_message.setText("Select a review item first")
            return
        item = self.review_items[row]
        try:
            self._core.desk.resolve_review_item(item.id, self.note_edit.text(), self.staff.id)
        except Exception as exc:
            self.review_message.setText(self._message(exc))
            return
        self.note_edit.clear()
        self.review_message.setText("Resolved")
        self._show_reviews()

    def add_to_waitlist(self) -> None:
        self._core.staff_mode.use()  # work at the desk keeps staff mode open
        session_id = self.selected_full_session()
        if session_id is None or self.waitlist_chosen is None:
            self.waitlist_message.setText("Choose a full class and a member first")
            return
        staff_id = self.staff.id if self.staff else None
        try:
            text = self._core.desk.join_waitlist(
                session_id, self.waitlist_chosen.member_id, staff_id
            )
        except Exception as exc:
            self.waitlist_message.setText(self._message(exc))
            return
        self.waitlist_message.setText(text)
        self.waitlist_chosen = None
        self.waitlist_picker.clear()
        self._show_pending()
        self._show_full_classes()  # its "n waiting" counts the new one too

    def _message(self, exc: Exception) -> str:
        message = user_message(exc)
        if message is None:
            log.exception("Staff desk action failed", exc_info=exc)
            return "Something went wrong; the details are in the kiosk's log"
        return message
