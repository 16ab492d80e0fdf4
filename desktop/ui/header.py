"""The top band: where we are, the local time there, and whether we are open."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from desktop.core.location import LocationView
from desktop.ui.staff_mode_bar import StaffModeBar
from desktop.ui.style import repolish


class HeaderBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("header")
        # Needed for a plain QWidget to paint the style sheet's background.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.location_label = _label("locationName", "ZMOS Kiosk")
        self.tenant_label = _label("tenantName", "")
        self.clock_label = _label("clock", "--:--")
        self.date_label = _label("dateText", "")
        self.timezone_label = _label("timezoneName", "")
        self.hours_label = _label("todayHours", "")
        self.open_label = _label("openNow", "")
        self.staff_button = QToolButton()
        self.staff_button.setObjectName("staffButton")
        self.staff_button.setText("Staff")
        self.staff_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.classes_button = QToolButton()
        self.classes_button.setObjectName("classesButton")
        self.classes_button.setText("Classes")
        self.classes_button.setCheckable(True)
        self.staff_mode_bar = StaffModeBar()

        # Long location and tenant names wrap instead of widening the window past the screen.
        for label in (self.location_label, self.tenant_label, self.date_label, self.hours_label):
            label.setWordWrap(True)
            label.setMinimumWidth(120)
        where = QVBoxLayout()
        where.addWidget(self.location_label)
        where.addWidget(self.tenant_label)
        when = QVBoxLayout()
        when.addWidget(self.clock_label)
        when.addWidget(self.date_label)
        when.addWidget(self.timezone_label)
        hours = QVBoxLayout()
        hours.addWidget(self.hours_label)
        hours.addWidget(self.open_label)

        row = QHBoxLayout()
        row.setContentsMargins(16, 8, 16, 8)
        row.addLayout(where, 3)
        row.addLayout(when, 2)
        row.addLayout(hours, 3)
        row.addWidget(self.classes_button)
        row.addWidget(self.staff_button)
        # A line of its own, shown only in staff mode: the top row keeps the width it had.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addLayout(row)
        staff_row = QHBoxLayout()
        staff_row.setContentsMargins(24, 0, 24, 8)
        staff_row.addStretch(1)
        staff_row.addWidget(self.staff_mode_bar)
        outer.addLayout(staff_row)

    def show_location(self, location: LocationView | None, now: datetime) -> None:
        """Redraw for ``location`` at UTC instant ``now`` (called every second)."""
        if location is None:
            self.location_label.setText("ZMOS Kiosk")
            self.tenant_label.setText("")
            self.clock_label.setText(now.astimezone().strftime("%H:%M"))
            self.date_label.setText("")
            self.timezone_label.setText("")
            self.hours_label.setText("")
            self.open_label.setText("")
            return
        local = location.local_time(now)
        self.location_label.setText(location.name)
        self.tenant_label.setText(location.tenant_name)
        self.clock_label.setText(local.strftime("%H:%M"))
        self.date_label.setText(local.strftime("%A %d %B %Y"))
        self.timezone_label.setText(location.timezone)
        notice = location.today_notice(now)
        self.hours_label.setText(notice or f"Today: {location.today_hours(now)}")
        if self.hours_label.property("notice") != (notice is not None):
            self.hours_label.setProperty("notice", notice is not None)
            repolish(self.hours_label)
        is_open = location.is_open(now)
        self.open_label.setText(location.open_status(now))
        if self.open_label.property("open") != is_open:
            self.open_label.setProperty("open", is_open)
            repolish(self.open_label)


def _label(name: str, text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    return label
