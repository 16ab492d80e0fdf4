"""An unknown card at the door: staff (with a PIN) can give it to a member there and then.

The card works at once, offline too; the server hears of it through the outbox.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.core.checkin import CheckinError, CheckinOutcome, MemberHit, unknown_code_message
from desktop.core.kiosk import KioskCore
from desktop.core.staff_pins import StaffMember
from desktop.ui.pin_dialog import PinDialog
from desktop.ui.staff_gate import require_staff
from desktop.ui.views.member_picker import MemberPicker

ASSIGN = "Assign this card to a member"


class AssignCardDialog(QDialog):
    """Search for the member, choose them: the card is theirs. Accepted with :attr:`member`."""

    def __init__(
        self,
        core: KioskCore,
        code: str,
        parent: QWidget | None = None,
        *,
        staff: StaffMember | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Assign a card")
        self.setModal(True)
        self._core = core
        #: Who gives the card: the PIN that opened this dialog.
        self.staff = staff if staff is not None else core.staff_mode.current()
        self.code = code
        self.member: MemberHit | None = None
        self.prompt_label = QLabel(f"Card {code.strip()}: who is it for?")
        self.prompt_label.setWordWrap(True)
        self.picker = MemberPicker(core, "Search for the member")
        self.picker.picked.connect(self.assign)
        self.error_label = QLabel("")
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt_label)
        layout.addWidget(self.picker, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.resize(640, 520)

    def assign(self, hit: MemberHit) -> None:
        try:
            staff_id = self.staff.id if self.staff is not None else None
            self.member = self._core.checkin.assign_card(
                hit.member_id, self.code, staff_id=staff_id
            )
        except CheckinError as exc:
            self.error_label.setText(str(exc))
            return
        self.accept()


class UnknownCardAssigner(QObject):
    """The door's "Assign this card" button and the PIN → choose-member steps behind it."""

    #: The card now belongs to a member: check them in with it.
    assigned = Signal(str)
    started = Signal()
    cancelled = Signal()

    def __init__(self, core: KioskCore, parent: QWidget) -> None:
        super().__init__(parent)
        self._core = core
        self._parent = parent
        self.code: str | None = None
        self.button = QPushButton(ASSIGN)
        self.button.setObjectName("assignCardButton")
        self.button.clicked.connect(self.start)
        self.button.hide()
        self.pin_dialog: PinDialog | None = None
        self.dialog: AssignCardDialog | None = None

    def offer(self, code: str | None, outcome: CheckinOutcome | None) -> None:
        """Show the button after ``outcome`` when it says ``code`` is no one's card."""
        unknown = (
            code is not None
            and outcome is not None
            and outcome.member_id is None
            and outcome.reason == unknown_code_message(code)
        )
        self.code = code if unknown else None
        self.button.setVisible(unknown)

    def start(self) -> None:
        code = self.code
        if code is None:
            return
        timer = getattr(self._parent, "back_timer", None)
        if timer is not None:
            timer.stop()
        self.pin_dialog = require_staff(
            self._parent,
            self._core,
            "assign a card",
            lambda staff: self._choose(code, staff),
            cancelled=self.cancelled.emit,
        )

    def _choose(self, code: str, staff: StaffMember) -> None:
        dialog = AssignCardDialog(self._core, code, self._parent, staff=staff)
        dialog.accepted.connect(lambda: self.assigned.emit(code))
        dialog.rejected.connect(self.cancelled.emit)
        self.dialog = dialog
        dialog.open()
