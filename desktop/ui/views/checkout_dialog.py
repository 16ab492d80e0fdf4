"""Check a member out: the minutes since they came in, which staff may change, or "did not
train". Enter confirms; Escape leaves the visit open."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.checkin.checkout import MAX_MINUTES, MIN_MINUTES, OpenVisit
from desktop.ui.dialogs import KioskDialog


class CheckoutDialog(KioskDialog):
    def __init__(self, visit: OpenVisit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Check out")
        self.setModal(True)
        self.setMinimumWidth(480)
        self.visit = visit
        self.minutes = visit.minutes
        self.completed = True
        title = QLabel(f"Check out {visit.member_name}")
        title.setObjectName("checkoutTitle")
        title.setWordWrap(True)
        since = f"Came in {_duration(visit.minutes)} ago."
        if visit.previous is not None:
            since += f" Checked out already ({visit.previous.minutes} min): this replaces it."
        self.since_label = QLabel(since)
        self.since_label.setWordWrap(True)
        self.minutes_spin = QSpinBox()
        self.minutes_spin.setObjectName("checkoutMinutes")
        self.minutes_spin.setRange(MIN_MINUTES, MAX_MINUTES)
        self.minutes_spin.setValue(visit.minutes)
        self.minutes_spin.setSuffix(" min")
        self.minutes_spin.setAccessibleName("Minutes trained")
        minutes_label = QLabel("&Minutes trained")
        minutes_label.setBuddy(self.minutes_spin)
        self.skipped_box = QCheckBox("&Did not train")
        self.skipped_box.setObjectName("checkoutSkipped")
        self.skipped_box.toggled.connect(lambda on: self.minutes_spin.setEnabled(not on))
        self.ok_button = QPushButton("Check out")
        self.ok_button.setObjectName("checkoutConfirm")
        self.ok_button.clicked.connect(self.submit)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(minutes_label)
        row.addWidget(self.minutes_spin, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.since_label)
        layout.addLayout(row)
        layout.addWidget(self.skipped_box)
        layout.addLayout(buttons)
        self.minutes_spin.setFocus(Qt.FocusReason.OtherFocusReason)
        self.minutes_spin.selectAll()

    def primary_action(self) -> None:
        self.submit()

    def submit(self) -> None:
        self.minutes_spin.interpretText()  # a number typed but not yet committed counts
        self.minutes = self.minutes_spin.value()
        self.completed = not self.skipped_box.isChecked()
        self.accept()


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d} min"
