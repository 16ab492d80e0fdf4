"""Register a walk-in: who they are, how to reach them and someone to call, their card, the
waiver; and, before anything is saved, the existing members they may already be."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.checkin import CheckinError, MemberHit
from desktop.core.checkin.walkin import duplicate_question
from desktop.core.kiosk import KioskCore
from desktop.core.staff_pins import StaffMember
from desktop.ui.dialogs import KioskDialog
from desktop.ui.views.member_picker import hit_text

DUPLICATES = "Already registered? Pick the existing member, or register anyway."
WAIVER = "They have read and accepted the waiver"
WAIVER_NEEDED = "Ask them to read and accept the waiver first"


class WalkinDialog(KioskDialog):
    """Accepted with :attr:`member` set: the new member, or the existing one staff picked."""

    def __init__(
        self,
        core: KioskCore,
        parent: QWidget | None = None,
        *,
        staff: StaffMember | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Walk-in")
        self.setModal(True)
        self._core = core
        # Who registers them: the PIN that opened this dialog (staff mode may time out
        # while the form is filled in).
        self.staff = staff if staff is not None else core.staff_mode.current()
        self.member: MemberHit | None = None
        self.duplicates: list[MemberHit] = []
        self.first_edit = QLineEdit()
        self.last_edit = QLineEdit()
        self.phone_edit = QLineEdit()
        self.email_edit = QLineEdit()
        self.birth_edit = QLineEdit()
        self.birth_edit.setPlaceholderText("e.g. 31/12/1990")
        self.emergency_edit = QLineEdit()
        self.emergency_edit.setPlaceholderText("Name and phone")
        self.card_edit = QLineEdit()
        self.card_edit.setPlaceholderText("Optional: the card they are given")
        self.waiver_check = QCheckBox(WAIVER)
        form = QFormLayout()
        form.addRow("First name", self.first_edit)
        form.addRow("Last name", self.last_edit)
        form.addRow("Phone", self.phone_edit)
        form.addRow("Email", self.email_edit)
        form.addRow("Date of birth", self.birth_edit)
        form.addRow("Emergency contact", self.emergency_edit)
        form.addRow("Card number", self.card_edit)
        form.addRow("", self.waiver_check)
        self.error_label = QLabel("")
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        self.question_label = QLabel("")
        self.question_label.setObjectName("duplicateQuestion")
        self.question_label.setWordWrap(True)
        self.question_label.hide()
        self.duplicate_list = QListWidget()
        self.duplicate_list.currentRowChanged.connect(self._ask)
        self.duplicate_list.hide()
        self.use_existing_button = QPushButton("Yes, use this member")
        self.use_existing_button.clicked.connect(self.use_existing)
        self.use_existing_button.hide()
        self.register_button = QPushButton("Register")
        self.register_button.clicked.connect(self.submit)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(self.use_existing_button)
        buttons.addWidget(self.register_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.question_label)
        layout.addWidget(self.duplicate_list)
        layout.addLayout(buttons)

    def fill(
        self,
        first: str,
        last: str,
        phone: str = "",
        email: str = "",
        *,
        born: str = "",
        emergency: str = "",
        card: str = "",
        waiver: bool = True,
    ) -> None:
        self.first_edit.setText(first)
        self.last_edit.setText(last)
        self.phone_edit.setText(phone)
        self.email_edit.setText(email)
        self.birth_edit.setText(born)
        self.emergency_edit.setText(emergency)
        self.card_edit.setText(card)
        self.waiver_check.setChecked(waiver)

    def primary_action(self) -> None:
        self.submit()

    def submit(self) -> None:
        if not self.waiver_check.isChecked():
            self.error_label.setText(WAIVER_NEEDED)
            return
        # After a duplicate warning the same button means "register anyway".
        allow = bool(self.duplicates)
        try:
            result = self._core.checkin.register_walkin(
                self.first_edit.text(),
                self.last_edit.text(),
                phone=self.phone_edit.text(),
                email=self.email_edit.text(),
                date_of_birth=self.birth_edit.text(),
                emergency_contact=self.emergency_edit.text(),
                card_number=self.card_edit.text(),
                waiver_accepted=True,
                allow_duplicates=allow,
                staff_id=self.staff.id if self.staff is not None else None,
            )
        except CheckinError as exc:
            self.error_label.setText(str(exc))
            return
        if result.member is None:
            self._offer(result.duplicates)
            return
        self.member = self._core.checkin.member_hit(result.member.id)
        self.accept()

    def _offer(self, duplicates: list[MemberHit]) -> None:
        self.duplicates = duplicates
        self.error_label.setText(DUPLICATES)
        self.duplicate_list.clear()
        for hit in duplicates:
            self.duplicate_list.addItem(hit_text(hit))
        self.duplicate_list.setVisible(len(duplicates) > 1)
        self.duplicate_list.setCurrentRow(0)
        self._ask(0)
        self.question_label.show()
        self.use_existing_button.show()
        self.register_button.setText("Register anyway")
        self.adjustSize()

    def _ask(self, row: int) -> None:
        if 0 <= row < len(self.duplicates):
            self.question_label.setText(duplicate_question(self.duplicates[row]))

    def use_existing(self) -> None:
        row = self.duplicate_list.currentRow()
        if row < 0:
            self.error_label.setText("Select the existing member first")
            return
        self.member = self.duplicates[row]
        self.accept()
