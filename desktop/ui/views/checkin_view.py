"""The check-in screen: scan, camera or search → a big green or red answer; walk-ins, passes.

Every action uses only the local cache and the outbox, so it works with the server down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
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

from desktop.core.checkin import CheckinOutcome, MemberHit, unknown_code_message
from desktop.core.kiosk import KioskCore, user_message
from desktop.core.staff_pins import StaffMember
from desktop.ui.pin_dialog import PinDialog
from desktop.ui.staff_gate import require_staff
from desktop.ui.views.checkout_dialog import CheckoutDialog
from desktop.ui.views.decision_panel import DecisionPanel, card_of
from desktop.ui.views.member_picker import MemberPicker
from desktop.ui.views.override_dialog import OverrideReasonDialog
from desktop.ui.views.sale_dialog import SaleDialog
from desktop.ui.views.unknown_card import UnknownCardAssigner
from desktop.ui.views.walkin_dialog import WalkinDialog
from shared.enums import CheckinMethod

log = logging.getLogger(__name__)

PROMPT = "Show your QR code or scan your card"
CHECKOUT_PROMPT = "Checking out"
CHECKOUT_HINT = "Scan the card or QR code of the member leaving, or search for them"
NOT_CACHED = "This member is not in this kiosk's data; sync, or search again"
CHECKOUT_TEXT, CHECKOUT_CANCEL_TEXT = "Check out", "Back to check-in"
#: What members read when the camera cannot be used; the technical cause goes to staff.
NO_CAMERA = "The camera is not available: scan your card or ask at the desk"
#: How long the answer stays up before the ready screen returns.
DECISION_MS = 5_000
#: Keys typed away from the search box move the focus there once they pause this long.
TYPE_AHEAD_FOCUS_MS = 150
#: Check-out mode gives way to check-in again after this long without a check-out.
CHECKOUT_MODE_MS = 30_000


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
        self.checkout_dialog: CheckoutDialog | None = None
        #: The next scan or search checks the member out instead of in.
        self.checking_out = False

        panel = QFrame()
        panel.setObjectName("checkinPanel")
        self.prompt_label = QLabel(PROMPT)
        self.prompt_label.setObjectName("checkinPrompt")
        self.prompt_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt_label.setWordWrap(True)
        self.hint_label = QLabel("Hold your phone's screen up to the camera, or tap your card")
        self.hint_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hint = self.hint_label.text()
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

        self.picker = MemberPicker(core, codes_as_codes=True)
        self.search_edit = self.picker.edit
        self.search_edit.setObjectName("memberSearch")
        self.results = self.picker.results
        self.picker.picked.connect(self.pick)
        self.picker.code_entered.connect(self.on_code_entered)
        # While someone searches, the results take the prompt's room (five members or more).
        self.search_edit.textChanged.connect(lambda text: panel.setVisible(not text.strip()))
        self.prompt_panel = panel
        self.walkin_button = QPushButton("Walk-in")
        self.walkin_button.clicked.connect(self.open_walkin)
        self.sale_button = QPushButton("Day pass / Guest pass")
        self.sale_button.clicked.connect(lambda: self.open_sale(None))
        self.checkout_button = QPushButton(CHECKOUT_TEXT)
        self.checkout_button.setObjectName("checkoutMode")
        self.checkout_button.setCheckable(True)
        self.checkout_button.toggled.connect(self.set_checking_out)
        for button in (self.checkout_button, self.walkin_button, self.sale_button):
            # Reached with Tab; a tap does not take the focus from the search box.
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        actions = QHBoxLayout()
        actions.addWidget(self.checkout_button)
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
        self.decision.sale_requested.connect(self.sell_to_refused)
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

        self.checkout_timer = QTimer(self)
        self.checkout_timer.setSingleShot(True)
        self.checkout_timer.setInterval(CHECKOUT_MODE_MS)
        self.checkout_timer.timeout.connect(lambda: self.set_checking_out(False))

        self._focus_search = QTimer(self)
        self._focus_search.setSingleShot(True)
        self._focus_search.setInterval(TYPE_AHEAD_FOCUS_MS)
        self._focus_search.timeout.connect(self._take_focus)

        self.cards = UnknownCardAssigner(core, self)
        self.cards.started.connect(self.back_timer.stop)
        self.cards.assigned.connect(self.on_code_scanned)
        self.cards.cancelled.connect(self.back_timer.start)
        layout.addWidget(self.cards.button)
        QWidget.setTabOrder(self.search_edit, self.results)
        QWidget.setTabOrder(self.results, self.checkout_button)
        QWidget.setTabOrder(self.checkout_button, self.walkin_button)
        QWidget.setTabOrder(self.walkin_button, self.sale_button)

    # -- inputs ------------------------------------------------------------------------------

    @Slot(str)
    def on_code_scanned(self, code: str) -> None:
        """A USB scanner or card reader typed ``code`` (its keys may have reached the search
        box on the way: take them out again)."""
        text = self.search_edit.text()
        if text.endswith(code):
            self.search_edit.setText(text[: -len(code)])
        self.on_code_entered(code)

    @Slot(str)
    def on_code_entered(self, code: str) -> None:
        """A card number, barcode or pass, scanned or typed in full with Enter."""
        if self.checking_out:
            self._check_out_hit(self._core.checkin.member_for_code(code), code)
            return
        self._run(lambda: self._core.checkin.check_in_code(code))
        self.cards.offer(code, self.decision.outcome)

    def _take_focus(self) -> None:
        if self.pages.currentWidget() is self.ready_page and self.search_edit.text():
            self.search_edit.setFocus()

    def type_ahead(self, text: str) -> None:
        """Keys typed where no field takes them (the answer screen showing, a button
        focused): the start of the next search or scan, not lost."""
        if self.pages.currentWidget() is not self.ready_page:
            self.show_ready()
        self.search_edit.insert(text)
        # The focus follows once the keys pause: a scanner's burst goes on arriving where
        # it started, and its Enter is taken as a scan; a person goes on typing in the box.
        self._focus_search.start()

    @Slot(object)
    def on_scan_result(self, result: Any) -> None:
        """A camera ``ScanResult`` (connect to ``CameraWorker.result_ready``)."""
        if self.checking_out:
            claims = getattr(result, "claims", None)
            if str(result.kind) == "pass_ok" and claims is not None:
                self._check_out_hit(self._core.checkin.member_hit(claims.member_id), None)
            elif str(result.kind) == "barcode":
                self.on_code_entered(result.text)
            elif str(result.kind) == "pass_refused":
                self.set_checking_out(False)
                self._show_message(result.reason or "This pass cannot be checked out")
            return
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
        self._hint = NO_CAMERA
        if not self.checking_out:
            self.hint_label.setText(NO_CAMERA)
        self.technical_message.emit(message)

    def pick(self, hit: MemberHit) -> None:
        """A member chosen by search: someone checking in on another's behalf, so staff."""
        if self.checking_out:
            self.checkout_timer.stop()  # the PIN may take a while
            self.pin_dialog = require_staff(
                self,
                self._core,
                "check out a member found by search",
                lambda _staff: self._check_out_hit(hit, None),
                cancelled=self.checkout_timer.start,
            )
            return
        self.pin_dialog = require_staff(
            self,
            self._core,
            "check in a member found by search",
            lambda _staff: self._run(
                lambda: self._core.checkin.check_in(hit.member_id, CheckinMethod.SEARCH)
            ),
        )

    # -- check-out ---------------------------------------------------------------------------

    def set_checking_out(self, on: bool) -> None:
        """Check-out mode: the prompt says so, and it ends after one check-out or a while."""
        self.checking_out = on
        if self.checkout_button.isChecked() != on:
            self.checkout_button.setChecked(on)  # comes back here; nothing else changes
            return
        self.checkout_button.setText(CHECKOUT_CANCEL_TEXT if on else CHECKOUT_TEXT)
        self.prompt_label.setText(CHECKOUT_PROMPT if on else PROMPT)
        if on:
            self._hint = self.hint_label.text()  # the camera's state, kept for afterwards
        self.hint_label.setText(CHECKOUT_HINT if on else self._hint)
        self.prompt_panel.setProperty("checkingOut", on)
        self.prompt_panel.style().unpolish(self.prompt_panel)
        self.prompt_panel.style().polish(self.prompt_panel)
        if on:
            self.show_ready()
            self.checkout_timer.start()
            self.search_edit.setFocus()
        else:
            self.checkout_timer.stop()

    def _check_out_hit(self, hit: MemberHit | None, code: str | None) -> None:
        self.checkout_timer.stop()
        if hit is None:
            self.set_checking_out(False)
            message = unknown_code_message(code) if code else NOT_CACHED
            self._show_message(message)
            return
        try:
            visit = self._core.checkout.open_visit(hit.member_id)
        except Exception as exc:
            self.set_checking_out(False)
            self._show_message(self._problem(exc))
            return
        dialog = CheckoutDialog(visit, self)
        dialog.rejected.connect(lambda: self.set_checking_out(False))
        dialog.accepted.connect(lambda: self._confirm_checkout(dialog))
        self.checkout_dialog = dialog
        dialog.open()

    def _confirm_checkout(self, dialog: CheckoutDialog) -> None:
        self.set_checking_out(False)
        try:
            done = self._core.checkout.check_out(
                dialog.visit, minutes=dialog.minutes, completed=dialog.completed
            )
        except Exception as exc:
            self._show_message(self._problem(exc))
            return
        self.decision.show_checkout(done)
        self.pages.setCurrentWidget(self.decision)
        self.back_timer.start()

    def _show_message(self, message: str) -> None:
        self.decision.show_message(message)
        self.pages.setCurrentWidget(self.decision)
        self.back_timer.start()

    @staticmethod
    def _problem(exc: Exception) -> str:
        message = user_message(exc)
        if message is None:
            log.exception("Check-out failed")
            message = "Something went wrong; ask a member of staff"
        return message

    # -- answers -----------------------------------------------------------------------------

    def show_outcome(self, outcome: CheckinOutcome) -> None:
        self.cards.offer(None, None)
        self.decision.show_outcome(outcome, card_of(self._core, outcome))
        self.pages.setCurrentWidget(self.decision)
        self.back_timer.start()

    def show_ready(self) -> None:
        self.back_timer.stop()
        self.cards.offer(None, None)
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
        self.pin_dialog = require_staff(
            self,
            self._core,
            "override",
            lambda staff: self._ask_reason(outcome, staff),
            cancelled=self.back_timer.start,
        )

    def _ask_reason(self, outcome: CheckinOutcome, staff: StaffMember) -> None:
        assert outcome.member_id is not None
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
        self.pin_dialog = require_staff(self, self._core, "register a walk-in", self._walkin)

    def _walkin(self, staff: StaffMember) -> None:
        dialog = WalkinDialog(self._core, self, staff=staff)
        dialog.accepted.connect(lambda: self._sale(staff, dialog.member))
        self.walkin_dialog = dialog
        dialog.open()

    def sell_to_refused(self) -> None:
        """The refused member's next step: a pass or a plan, sold at the desk. The result
        screen waits meanwhile, and its countdown starts again if staff give up."""
        outcome = self.decision.outcome
        member_id = outcome.member_id if outcome else None
        member = self._core.checkin.member_hit(member_id) if member_id else None
        self.back_timer.stop()
        self.pin_dialog = require_staff(
            self,
            self._core,
            "sell a pass",
            lambda staff: self._sale(staff, member, cancelled=self.back_timer.start),
            cancelled=self.back_timer.start,
        )

    def open_sale(self, member: MemberHit | None) -> None:
        self.pin_dialog = require_staff(
            self, self._core, "sell a pass", lambda staff: self._sale(staff, member)
        )

    def _sale(
        self,
        staff: StaffMember,
        member: MemberHit | None,
        cancelled: Callable[[], None] | None = None,
    ) -> None:
        dialog = SaleDialog(self._core, member, self, staff=staff)
        if cancelled is not None:
            dialog.rejected.connect(cancelled)

        def sold() -> None:
            if dialog.outcome is not None:
                self.show_outcome(dialog.outcome)

        dialog.accepted.connect(sold)
        self.sale_dialog = dialog
        dialog.open()
