"""The front-desk window: header, the current view, opening hours, status bar.

Kiosk mode (full screen) can only be left with a staff PIN: the Staff button's "Exit kiosk
mode", and any attempt to close the window (Alt+F4), ask for one first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QRect, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QMenu, QStackedWidget, QVBoxLayout, QWidget

from desktop.core.kiosk import KioskCore, user_message
from desktop.core.location import LocationView
from desktop.core.staff_pins import StaffMember
from desktop.ui.diagnostics import Diagnostics
from desktop.ui.header import HeaderBar
from desktop.ui.pin_dialog import PinDialog
from desktop.ui.staff_gate import require_staff
from desktop.ui.status_bar import KioskStatusBar
from desktop.ui.views.checkin_view import CheckinView
from desktop.ui.views.enrol_view import EnrolView
from desktop.ui.views.hours_panel import HoursPanel
from desktop.ui.views.pending_label import PendingLabel
from desktop.ui.views.scan_hold import ScanRouter
from desktop.ui.views.sessions_view import SessionsView
from desktop.ui.views.staff_desk import StaffDeskView
from desktop.ui.views.wedge_filter import ScannerWedge
from desktop.workers.tasks import TaskRunner
from shared.clock import utcnow
from shared.enums import KIOSK_EXIT_ROLES


class MainWindow(QMainWindow):
    #: Ask the sync worker for a refresh now (connected by desktop.app).
    refresh_requested = Signal()

    def __init__(
        self,
        core: KioskCore,
        *,
        tasks: TaskRunner | None = None,
        kiosk_mode: bool = True,
        default_server_url: str = "",
        default_device_name: str = "",
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__()
        self.setWindowTitle("ZMOS Kiosk")
        self.resize(1280, 800)
        self._core = core
        self._now = now
        self.kiosk_mode = kiosk_mode
        self.location: LocationView | None = None
        self.pin_dialog: PinDialog | None = None
        self._close_after_unlock = False
        #: Staff asked to enrol again: keep the enrolment view up until they finish or cancel.
        self._reenrolling = False
        #: Staff opened the desk with a PIN: it stays up until they go back to the door.
        self._at_desk = False
        #: Who the last accepted PIN belonged to.

        #: Technical messages for staff, kept off the member-facing screen.
        self.diagnostics = Diagnostics(self, now)
        self.header = HeaderBar()
        self.views = QStackedWidget()
        self.checkin_view = CheckinView(core)
        self.checkin_view.technical_message.connect(self.diagnostics.add)
        #: Runs work off the UI thread: the process's runner, or one of this window's own.
        self.tasks = tasks or TaskRunner(self)
        self.enrol_view = EnrolView(
            core, self.tasks, default_server_url or (core.server_url() or ""), default_device_name
        )
        self.enrol_view.enrolled.connect(self._on_enrolled)
        self.enrol_view.cancelled.connect(self._on_enrol_cancelled)
        self.sessions_view = SessionsView(core, now)
        self.views.addWidget(self.checkin_view)
        self.views.addWidget(self.enrol_view)
        self.views.addWidget(self.sessions_view)
        self.staff_desk = StaffDeskView(core, self.diagnostics, now)
        self.staff_desk.closed.connect(self.close_staff_desk)
        self.views.addWidget(self.staff_desk)
        self.header.classes_button.toggled.connect(self.show_classes)
        self.hours_panel = HoursPanel()

        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.views, 3)
        body.addWidget(self.hours_panel, 1)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.header)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self.status = KioskStatusBar()
        self.setStatusBar(self.status)
        self.pending_label = PendingLabel()
        self.status.addPermanentWidget(self.pending_label)
        # USB scanners and card readers type like keyboards: listen at window level.
        self.wedge = ScannerWedge(
            self,
            enabled=lambda: self.views.currentWidget() in (self.checkin_view, self.sessions_view),
        )
        # A scan while a dialog is open waits for it (or is its chosen member).
        self.scans = ScanRouter(self, self._code_scanned, self._deliver_scan_result)
        self.wedge.scanned.connect(self.scans.route)
        self.wedge.typed.connect(self._typed)
        self.wedge.install()
        self._build_staff_menu()

        status = core.sync.status()
        self.status.set_credential_warning(status.credential_warning)
        if status.credential_warning:
            self.diagnostics.add(status.credential_warning)
        self.status.set_connection(status.online, status.last_error or "")
        self.status.set_last_sync(status.last_sync_at, now())
        self.reload()

        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self.tick)
        self._clock.start()

    # -- showing -----------------------------------------------------------------------------

    def present(self) -> None:
        screen = self.screen()
        self.fit_to_screen(screen.geometry(), screen.availableGeometry())
        if self.kiosk_mode:
            self.showFullScreen()
        else:
            self.show()

    def fit_to_screen(self, screen: QRect, available: QRect | None = None) -> None:
        """Never larger than the screen (a window wider than it hides its right-hand
        controls), and a windowed kiosk starts within the part not taken by task bars."""
        self.setMaximumSize(screen.size())
        room = (available or screen).size()
        self.resize(min(self.width(), room.width()), min(self.height(), room.height()))

    def reload(self) -> None:
        """Re-read the cached location and pick the view to show."""
        enrolled = self._core.is_enrolled()
        self.location = self._core.location() if enrolled else None
        if not enrolled:
            self.views.setCurrentWidget(self.enrol_view)
        elif not self._reenrolling and not self._at_desk:
            self.views.setCurrentWidget(self._door_or_classes())
            if self.header.classes_button.isChecked():
                self.sessions_view.reload()
        self.header.classes_button.setEnabled(enrolled)
        self.enrol_view.set_cancellable(enrolled)
        self.hours_panel.setVisible(self.location is not None)
        self._exit_action.setEnabled(self.kiosk_mode)
        self.tick()

    def _door_or_classes(self) -> QWidget:
        classes = self.header.classes_button.isChecked()
        return self.sessions_view if classes else self.checkin_view

    @Slot(bool)
    def show_classes(self, on: bool) -> None:
        """Switch between the door (check-in) and the classes view."""
        self.header.classes_button.setText("Door" if on else "Classes")
        if self.views.currentWidget() is self.enrol_view:
            return
        self._at_desk = False
        if on:
            self.sessions_view.reload()
        self.views.setCurrentWidget(self._door_or_classes())

    @Slot(str)
    def _code_scanned(self, code: str) -> None:
        if self.views.currentWidget() is self.sessions_view:
            self.sessions_view.on_code_scanned(code)
        else:
            self.checkin_view.on_code_scanned(code)

    @Slot(str)
    def _typed(self, text: str) -> None:
        """Typing where no field takes it: at the door it is a search (or the next scan)."""
        if self.views.currentWidget() is self.checkin_view:
            self.checkin_view.type_ahead(text)

    @Slot(object)
    def _scan_result(self, result: object) -> None:
        """What the camera read: held while a dialog is open, like a USB scan."""
        self.scans.route_read(result)

    def _deliver_scan_result(self, result: object) -> None:
        if self.views.currentWidget() is self.sessions_view:
            self.sessions_view.on_scan_result(result)
        else:
            self.checkin_view.on_scan_result(result)

    @Slot()
    def tick(self) -> None:
        now = self._now()
        self.header.show_location(self.location, now)
        self.header.staff_mode_bar.show_mode(self._core.staff_mode)
        if self._at_desk and self._core.staff_mode.current() is None:
            self.close_staff_desk()  # staff mode ended or timed out: the desk goes with it
        if self.location is not None:
            self.hours_panel.set_week(self.location.week(now), self.location.today_name(now))
        self.status.tick(now)
        try:
            pending, oldest = self._core.sync.pending_count(), self._core.sync.oldest_pending_at()
        except Exception as exc:
            if user_message(exc) is None:
                raise
            self._clock.stop()  # e.g. the database was closed under a window still on screen
            return
        self.pending_label.show_pending(pending, oldest, now)

    # -- worker signals ----------------------------------------------------------------------

    @Slot(bool, object, str)
    def on_sync_status(self, online: bool, last_sync: datetime | None, message: str) -> None:
        self.status.set_connection(online, message)
        self.status.set_last_sync(last_sync, self._now())

    @Slot()
    def on_snapshot_updated(self) -> None:
        self.reload()

    def connect_camera(self, worker: QObject) -> None:
        """Show a ``CameraWorker``'s frames and check in what it scans (signals only)."""
        worker.frame_ready.connect(self.checkin_view.on_frame)  # type: ignore[attr-defined]
        worker.result_ready.connect(self._scan_result)  # type: ignore[attr-defined]
        worker.camera_error.connect(self.checkin_view.on_camera_error)  # type: ignore[attr-defined]

    # -- staff actions -----------------------------------------------------------------------

    def _build_staff_menu(self) -> None:
        menu = QMenu(self)
        self._exit_action = QAction("Exit kiosk mode", self)
        self._exit_action.triggered.connect(lambda: self.request_exit_kiosk())
        sync_action = QAction("Sync now", self)
        sync_action.triggered.connect(self.refresh_requested.emit)
        desk_action = QAction("Staff desk…", self)
        desk_action.triggered.connect(self.request_staff_desk)
        menu.addAction(desk_action)
        enrol_action = QAction("Enrol again…", self)
        enrol_action.triggered.connect(self.request_reenrol)
        menu.addAction(self._exit_action)
        menu.addAction(sync_action)
        menu.addAction(enrol_action)
        self.header.staff_button.setMenu(menu)

    def _locked(self) -> bool:
        """Kiosk mode holds only once someone could unlock it (a cached staff PIN)."""
        return self.kiosk_mode and self._core.has_exit_staff()

    def request_exit_kiosk(self, *, then_close: bool = False) -> None:
        if not self.kiosk_mode:
            if then_close:
                self.close()
            return
        self._close_after_unlock = then_close
        if not self._locked():
            self.leave_kiosk_mode()
            return
        self._ask_pin("Enter a staff PIN to leave kiosk mode", self.leave_kiosk_mode)

    def request_reenrol(self) -> None:
        def show_enrol() -> None:
            self._reenrolling = True
            self.views.setCurrentWidget(self.enrol_view)

        if self._locked():
            self._ask_pin("Enter a staff PIN to enrol this kiosk again", show_enrol)
        else:
            show_enrol()

    def request_staff(self, purpose: str, then: Callable[[StaffMember], None]) -> None:
        """Run ``then`` for the staff member in staff mode, or whose PIN is entered ("Enter a
        staff PIN to ``purpose``"): the one way staff-only screens are opened."""
        if self.pin_dialog is not None:
            self.pin_dialog.reject()
        self.pin_dialog = require_staff(self, self._core, purpose, then)

    def request_staff_desk(self) -> None:
        if not self._core.is_enrolled():
            return
        self.request_staff("open the staff desk", self.open_staff_desk)

    def open_staff_desk(self, staff: StaffMember) -> None:
        self._at_desk = True
        self.staff_desk.open_for(staff)
        self.views.setCurrentWidget(self.staff_desk)

    def close_staff_desk(self) -> None:
        self._at_desk = False
        self.staff_desk.staff = None
        self.views.setCurrentWidget(self._door_or_classes())

    def _ask_pin(self, prompt: str, on_success: Callable[[], None]) -> None:
        if self.pin_dialog is not None:
            self.pin_dialog.reject()
        dialog = PinDialog(self._core.pins, prompt, self, allowed=KIOSK_EXIT_ROLES)
        dialog.accepted.connect(on_success)
        dialog.finished.connect(lambda _result: self._forget_dialog(dialog))
        self.pin_dialog = dialog
        dialog.open()

    def _forget_dialog(self, dialog: PinDialog) -> None:
        if self.pin_dialog is dialog:
            self.pin_dialog = None
        dialog.deleteLater()

    def leave_kiosk_mode(self) -> None:
        self.kiosk_mode = False
        self._exit_action.setEnabled(False)
        self.showNormal()
        if self._close_after_unlock:
            self._close_after_unlock = False
            self.close()

    def _on_enrol_cancelled(self) -> None:
        self._reenrolling = False
        self.reload()

    def _on_enrolled(self) -> None:
        self._reenrolling = False
        self.views.setCurrentWidget(self._door_or_classes())
        self.reload()
        self.status.set_connection(*self._connection_summary())
        self.status.set_last_sync(self._core.sync.status().last_sync_at, self._now())
        self.refresh_requested.emit()

    def _connection_summary(self) -> tuple[bool | None, str]:
        status = self._core.sync.status()
        return status.online, status.last_error or ""

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._locked():
            event.ignore()
            if self.pin_dialog is None:
                self.request_exit_kiosk(then_close=True)
            return
        self._clock.stop()  # a closed window stops reading the database
        event.accept()
