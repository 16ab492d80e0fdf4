"""The staff PIN prompt, with an on-screen keypad for touch screens.

The PIN's hash is computed off the UI thread (argon2 takes a noticeable moment), so the
screen stays responsive while it is checked.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.staff_pins import (
    DESK_ROLES,
    NOT_ALLOWED,
    NOT_RECOGNISED,
    PinAttempt,
    PinCheck,
    PinStatus,
    StaffMember,
    StaffPins,
    match,
)
from desktop.ui.dialogs import KioskDialog
from desktop.workers.tasks import TaskRunner
from shared.enums import StaffRole

__all__ = ["NOT_ALLOWED", "NOT_RECOGNISED", "PinDialog"]

log = logging.getLogger(__name__)

CHECKING = "Checking…"
CHECK_FAILED = "The PIN could not be checked; try again"


class PinDialog(KioskDialog):
    """Accepts only when the PIN is recognised as staff with one of ``allowed`` roles; a
    wrong PIN (or a lock-out) keeps it open and says so."""

    def __init__(
        self,
        pins: StaffPins,
        prompt: str = "Enter a staff PIN",
        parent: QWidget | None = None,
        *,
        allowed: Collection[StaffRole] = DESK_ROLES,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Staff PIN")
        self.setModal(True)
        self._pins = pins
        self._allowed = frozenset(allowed)
        self._tasks = tasks or TaskRunner(self)
        self._checking = False
        self._done = False
        self.staff: StaffMember | None = None
        self.last_check: PinCheck | None = None

        self.prompt_label = QLabel(prompt)
        self.prompt_label.setWordWrap(True)
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error_label = QLabel("")
        self.error_label.setObjectName("pinError")
        self.error_label.setWordWrap(True)

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
        opening = pins.prepare("", self._allowed).answer
        if opening is not None and opening.status is PinStatus.LOCKED:
            self.error_label.setText(opening.message())

    def primary_action(self) -> None:
        self.submit()

    @property
    def checking(self) -> bool:
        """Whether a PIN is being checked (on a worker thread) right now."""
        return self._checking

    def _press(self, key: str) -> None:
        if key == "C":
            self.pin_edit.clear()
        elif key == "⌫":
            self.pin_edit.backspace()
        else:
            self.pin_edit.insert(key)
        self.pin_edit.setFocus()

    def submit(self) -> None:
        if self._checking:
            return
        attempt = self._pins.prepare(self.pin_edit.text(), self._allowed)
        self.pin_edit.clear()
        if attempt.answer is not None:
            self._finish(attempt, attempt.answer)
            return
        self._checking = True
        self.ok_button.setEnabled(False)
        self.error_label.setText(CHECKING)
        self._tasks.run(
            lambda: match(attempt),
            lambda result: self._finish(attempt, result),
            self._failed,
        )

    def _failed(self, exc: Exception) -> None:
        log.error("The PIN check failed", exc_info=exc)
        self._checking = False
        if not self._done:
            self.ok_button.setEnabled(True)
            self.error_label.setText(CHECK_FAILED)

    def _finish(self, attempt: PinAttempt, result: PinCheck) -> None:
        check = self._pins.record(attempt, result)
        self._checking = False
        if self._done:  # closed while the PIN was being checked: nobody to tell
            return
        self.last_check = check
        self.ok_button.setEnabled(True)
        if check.ok:
            self.staff = check.staff
            self.accept()
            return
        self.error_label.setText(check.message())
        self.pin_edit.setFocus()

    def done(self, result: int) -> None:
        self._done = True
        super().done(result)
