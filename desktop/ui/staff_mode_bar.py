"""The header's staff-mode line: who is acting at the desk, how long until staff mode ends
for lack of use, and a button to end it now."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.core.staff_mode import StaffMode


def staff_mode_text(name: str, remaining: timedelta) -> str:
    seconds = max(0, int(remaining.total_seconds()))
    return f"Staff: {name} — ends in {seconds // 60}:{seconds % 60:02d}"


class StaffModeBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffMode")
        self._mode: StaffMode | None = None
        self.label = QLabel("")
        self.label.setObjectName("staffModeText")
        self.end_button = QPushButton("End staff mode")
        self.end_button.setObjectName("endStaffMode")
        self.end_button.clicked.connect(self.end)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.end_button)
        self.hide()

    def show_mode(self, mode: StaffMode) -> None:
        """Redraw (called every second by the window's clock, and after a PIN)."""
        self._mode = mode
        staff = mode.current()
        if staff is None:
            self.hide()
            return
        self.label.setText(staff_mode_text(staff.name, mode.remaining()))
        self.show()

    def end(self) -> None:
        if self._mode is not None:
            self._mode.end()
            self.show_mode(self._mode)
