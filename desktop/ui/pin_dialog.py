"""The staff PIN prompt, with an on-screen keypad for touch screens."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.kiosk import StaffMember

NOT_RECOGNISED = "PIN not recognised"


class PinDialog(QDialog):
    """Accepts only when ``verify`` recognises the PIN; a wrong PIN keeps it open."""

    def __init__(
        self,
        verify: Callable[[str], StaffMember | None],
        prompt: str = "Enter a staff PIN",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Staff PIN")
        self.setModal(True)
        self._verify = verify
        self.staff: StaffMember | None = None

        self.prompt_label = QLabel(prompt)
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin_edit.returnPressed.connect(self.submit)
        self.error_label = QLabel("")
        self.error_label.setObjectName("pinError")

        keypad = QWidget()
        keypad.setObjectName("keypad")
        grid = QGridLayout(keypad)
        for index, key in enumerate(["1", "2", "3", "4", "5", "6", "7", "8", "9", "C", "0", "⌫"]):
            button = QPushButton(key)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, k=key: self._press(k))
            grid.addWidget(button, index // 3, index % 3)

        self.ok_button = QPushButton("OK")
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt_label)
        layout.addWidget(self.pin_edit)
        layout.addWidget(self.error_label)
        layout.addWidget(keypad)
        layout.addLayout(buttons)

    def _press(self, key: str) -> None:
        if key == "C":
            self.pin_edit.clear()
        elif key == "⌫":
            self.pin_edit.backspace()
        else:
            self.pin_edit.insert(key)
        self.pin_edit.setFocus()

    def submit(self) -> None:
        staff = self._verify(self.pin_edit.text())
        self.pin_edit.clear()
        if staff is None:
            self.error_label.setText(NOT_RECOGNISED)
            self.pin_edit.setFocus()
            return
        self.staff = staff
        self.accept()
