"""After a staff PIN: why this refused member is let in anyway (required, recorded)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.dialogs import KioskDialog

REASON_REQUIRED = "Give a reason for the override, e.g. “renewing at the desk now”"


class OverrideReasonDialog(KioskDialog):
    """Enter admits only with a reason; without one it says a reason is needed."""

    def __init__(self, staff_name: str, refusal: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Override")
        self.setModal(True)
        self.reason = ""
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("overrideReason")
        self.reason_edit.setPlaceholderText("Reason")
        self.error_label = QLabel("")
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        self.ok_button = QPushButton("Admit")
        self.ok_button.clicked.connect(self.submit)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{staff_name} is admitting a refused member."))
        layout.addWidget(QLabel(f"Refused because: {refusal}"))
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

    def primary_action(self) -> None:
        self.submit()

    def submit(self) -> None:
        reason = " ".join(self.reason_edit.text().split())
        if not reason:
            self.error_label.setText(REASON_REQUIRED)
            self.adjustSize()  # room for the message's second line
            return
        self.reason = reason
        self.accept()
