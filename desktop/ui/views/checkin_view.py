"""The check-in screen: scan, camera or search → a big green or red answer; walk-ins, passes.

Every action uses only the local cache and the outbox, so it works with the server down.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.checkin import CheckinOutcome, MemberHit
from desktop.core.kiosk import KioskCore, user_message
from desktop.ui.pin_dialog import PinDialog
from desktop.ui.views.decision_panel import DecisionPanel
from desktop.ui.views.member_picker import MemberPicker
from desktop.ui.views.override_dialog import OverrideReasonDialog
from desktop.ui.views.sale_dialog import SaleDialog
from desktop.ui.views.walkin_dialog import WalkinDialog
from shared.enums import CheckinMethod

log = logging.getLogger(__name__)

PROMPT = "Show your QR code or scan your card"
#: What members read when the camera cannot be used; the technical cause goes to staff.
NO_CAMERA = "The camera is not available: scan your card or ask at the desk"
#: How long the answer stays up before the ready screen returns.
DECISION_MS = 5_000


class CheckinView(QWidget):
    #: Technical detail for the staff side (e.g. why the camera cannot be used).
    technical_message = Signal(str)

    def __init__(self, core: KioskCore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkinView")
        self._core = core
        self.pin_dialog: PinDialog | None = None
        self.reason_dialog: OverrideReasonDialog | None = None
        self.walkin_dialog: WalkinDialog | None = None
        self.sale_dialog: SaleDialog | None = None

        panel = QFrame()
        panel.setObjectName("checkinPanel")
        self.prompt_label = QLabel(PROMPT)
        self.prompt_label.setObjectName("checkinPrompt")
        self.prompt_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt_label.setWordWrap(True)
        self.hint_label = QLabel("Hold your phone's screen up to the camera, or tap your card")
        self.hint_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint_label.setWordWrap(True)
        self.camera_label = QLabel()
        self.camera_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.camera_label.hide()
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(40, 30, 40, 30)
        inner.addStretch(1)
        inner.addWidget(self.prompt_label)
        inner.addWidget(self.hint_label)
        inner.addWidget(self.camera_label, 1)
        inner.addStretch(1)

        self.picker = MemberPicker(core)
        self.search_edit = self.picker.edit
        self.search_edit.setObjectName("memberSearch")
        self.results = self.picker.results
        self.picker.picked.connect(self.pick)
        # While someone searches, the results take the prompt's room (five members or more).
        self.search_edit.textChanged.connect(lambda text: panel.setVisible(not text.strip()))
        self.prompt_panel = panel
        self.walkin_button = QPushButton("Walk-in")
        self.walkin_button.clicked.connect(self.open_walkin)
        self.sale_button = QPushButton("Day pass / Guest pass")
        self.sale_button.clicked.connect(lambda: self.open_sale(None))
        for button in (self.walkin_button, self.sale_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        actions = QHBoxLayout()
        actions.addWidget(self.walkin_button)
        actions.addWidget(self.sale_button)

        ready = QWidget()
        ready_layout = QVBoxLayout(ready)
        ready_layout.setContentsMargins(0, 0, 0, 0)
        ready_layout.setSpacing(16)
        ready_layout.addWidget(panel, 2)
        ready_layout.addWidget(self.picker, 1)
        ready_layout.addLayout(actions)
        self.ready_page = ready

        self.decision = DecisionPanel()
        self.decision.done.connect(self.show_ready)
        self.decision.override_requested.connect(self.start_override)
        self.pages = QStackedWidget()
        self.pages.addWidget(ready)
        self.pages.addWidget(self.decision)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        layout.addWidget(self.pages)

        self.back_timer = QTimer(self)
        self.back_timer.setSingleShot(True)
        self.back_timer.setInterval(DECISION_MS)
        self.back_timer.timeout.connect(self.show_ready)

    # -- inputs ------------------------------------------------------------------------------

    @Slot(str)
    def on_code_scanned(self, code: str) -> None:
        """A USB scanner or card reader typed ``code`` (its keys may have reached the search
        box on the way: take them out again)."""
        text = self.search_edit.text()
        if text.endswith(code):
            self.search_edit.setText(text[: -len(code)])
        self._run(lambda: self._core.checkin.check_in_code(code))

    @Slot(object)
    def on_scan_result(self, result: Any) -> None:
        """A camera ``ScanResult`` (connect to ``CameraWorker.result_ready``)."""
        self._run(lambda: self._core.checkin.check_in_scan(result))

    @Slot(QImage)
    def on_frame(self, image: QImage) -> None:
        """A camera frame (connect to ``CameraWorker.frame_ready``)."""
        self.camera_label.show()
        pixmap = QPixmap.fromImage(image)
        self.camera_label.setPixmap(
            pixmap.scaled(
                self.camera_label.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.FastTransformation,
            )
        )

    @Slot(str)
    def on_camera_error(self, message: str) -> None:
        """The camera cannot be used: cards and search still work."""
        self.camera_label.hide()
        self.hint_label.setText(NO_CAMERA)
        self.technical_message.emit(message)

    def pick(self, hit: MemberHit) -> None:
        self._run(lambda: self._core.checkin.check_in(hit.member_id, CheckinMethod.SEARCH))

    # -- answers -----------------------------------------------------------------------------

    def show_outcome(self, outcome: CheckinOutcome) -> None:
        self.decision.show_outcome(outcome)
        self.pages.setCurrentWidget(self.decision)
        self.back_timer.start()

    def show_ready(self) -> None:
        self.back_timer.stop()
        self.picker.clear()
        self.pages.setCurrentWidget(self.ready_page)

    def _run(self, action: Any) -> None:
        try:
            outcome = action()
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                log.exception("Check-in failed")
                message = "Something went wrong; ask a member of staff"
            self.decision.show_message(message)
            self.pages.setCurrentWidget(self.decision)
            self.back_timer.start()
            return
        if outcome is not None:
            self.show_outcome(outcome)

    # -- override ----------------------------------------------------------------------------

    def start_override(self) -> None:
        outcome = self.decision.outcome
        if outcome is None or outcome.member_id is None:
            return
        self.back_timer.stop()
        dialog = PinDialog(self._core.verify_staff_pin, "Enter a staff PIN to override", self)
        dialog.accepted.connect(lambda: self._ask_reason(outcome, dialog))
        dialog.rejected.connect(self.back_timer.start)
        self.pin_dialog = dialog
        dialog.open()

    def _ask_reason(self, outcome: CheckinOutcome, pin: PinDialog) -> None:
        staff = pin.staff
        assert staff is not None and outcome.member_id is not None
        member_id = outcome.member_id
        dialog = OverrideReasonDialog(staff.name, outcome.reason, self)
        dialog.rejected.connect(self.back_timer.start)

        def admit() -> None:
            self._core.checkin.forget(member_id)
            self._run(
                lambda: self._core.checkin.check_in(
                    member_id, outcome.method, override=(staff.id, dialog.reason)
                )
            )

        dialog.accepted.connect(admit)
        self.reason_dialog = dialog
        dialog.open()

    # -- walk-ins and passes -----------------------------------------------------------------

    def open_walkin(self) -> None:
        dialog = WalkinDialog(self._core, self)
        dialog.accepted.connect(lambda: self.open_sale(dialog.member))
        self.walkin_dialog = dialog
        dialog.open()

    def open_sale(self, member: MemberHit | None) -> None:
        dialog = SaleDialog(self._core, member, self)

        def sold() -> None:
            if dialog.outcome is not None:
                self.show_outcome(dialog.outcome)

        dialog.accepted.connect(sold)
        self.sale_dialog = dialog
        dialog.open()
