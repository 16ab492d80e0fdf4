"""Shown until the kiosk is enrolled: exchange a manager's enrolment code for a device."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.kiosk import KioskCore, user_message
from desktop.workers.tasks import TaskRunner

log = logging.getLogger(__name__)


class EnrolView(QWidget):
    enrolled = Signal()
    #: Staff left the view without enrolling again (only offered when already enrolled).
    cancelled = Signal()

    def __init__(
        self,
        core: KioskCore,
        tasks: TaskRunner,
        default_server_url: str = "",
        default_device_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("enrolView")
        self._core = core
        self._tasks = tasks
        self._busy = False

        title = QLabel("Set up this kiosk")
        title.setObjectName("enrolTitle")
        intro = QLabel("Ask a manager for an enrolment code for this location, then enter it here.")
        intro.setWordWrap(True)
        self.server_edit = QLineEdit(default_server_url)
        self.server_edit.setPlaceholderText("https://zmos.example.com")
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText("your-gym.K7PQ-2MXA-9TZR")
        self.name_edit = QLineEdit(default_device_name)
        self.name_edit.setPlaceholderText("Front desk 1")
        form = QFormLayout()
        form.addRow("Server address", self.server_edit)
        form.addRow("Enrolment code", self.code_edit)
        form.addRow("Kiosk name", self.name_edit)

        self.enrol_button = QPushButton("Enrol this kiosk")
        self.enrol_button.setDefault(True)
        self.enrol_button.clicked.connect(self.submit)
        self.code_edit.returnPressed.connect(self.submit)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancelled.emit)
        self.cancel_button.hide()
        self.error_label = QLabel("")
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 48, 80, 48)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.enrol_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def set_cancellable(self, cancellable: bool) -> None:
        self.cancel_button.setVisible(cancellable)

    @property
    def busy(self) -> bool:
        return self._busy

    def submit(self) -> None:
        if self.busy:
            return
        server, code, name = self.server_edit.text(), self.code_edit.text(), self.name_edit.text()
        self.error_label.setText("")
        self.enrol_button.setEnabled(False)
        self.enrol_button.setText("Enrolling…")
        self._busy = True
        self._tasks.run(lambda: self._core.enrol(server, code, name), self._done, self._failed)

    def _done(self, _status: object) -> None:
        self._finish()
        self.code_edit.clear()
        self.enrolled.emit()

    def _failed(self, exc: Exception) -> None:
        self._finish()
        message = user_message(exc)
        if message is not None:
            self.error_label.setText(message)
        else:
            log.error("Enrolment failed unexpectedly", exc_info=exc)
            self.error_label.setText(
                "Enrolment failed because of a problem in the kiosk program; "
                "the details are in the kiosk's log."
            )

    def _finish(self) -> None:
        self._busy = False
        self.enrol_button.setEnabled(True)
        self.enrol_button.setText("Enrol this kiosk")
