"""The week's opening hours, today's row highlighted."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

#: Leaves the door and classes screens most of a 1280-pixel-wide screen.
PANEL_WIDTH = 310


class HoursPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hoursPanel")
        # A narrow column: hours such as "08:00–12:00, 14:00–18:00" wrap rather than widen it.
        self.setFixedWidth(PANEL_WIDTH)
        title = QLabel("Opening hours")
        title.setObjectName("hoursTitle")
        self._grid = QGridLayout()
        self._grid.setVerticalSpacing(10)
        self.rows: list[tuple[QLabel, QLabel]] = []
        layout = QVBoxLayout(self)
        title.setWordWrap(True)
        layout.setContentsMargins(12, 24, 12, 24)
        layout.addWidget(title)
        layout.addLayout(self._grid)
        layout.addStretch(1)

    def set_week(self, week: list[tuple[str, str]], today: str) -> None:
        if [(d.text(), h.text()) for d, h in self.rows] != week:
            for day_label, hours_label in self.rows:
                day_label.deleteLater()
                hours_label.deleteLater()
            self.rows = []
            for row, (day, hours) in enumerate(week):
                day_label, hours_label = QLabel(day), QLabel(hours)
                hours_label.setWordWrap(True)
                self._grid.addWidget(day_label, row, 0)
                self._grid.addWidget(hours_label, row, 1)
                self.rows.append((day_label, hours_label))
        for day_label, hours_label in self.rows:
            name = "hoursToday" if day_label.text() == today else ""
            for label in (day_label, hours_label):
                if label.objectName() != name:
                    label.setObjectName(name)
                    label.style().unpolish(label)
                    label.style().polish(label)
