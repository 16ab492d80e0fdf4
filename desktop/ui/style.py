"""Look and feel: large type, readable from a metre away, high contrast."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

STYLE = """
QWidget { font-size: 18pt; }
#header { background: #17324d; }
#header QLabel { color: white; }
#locationName { font-size: 32pt; font-weight: bold; }
#tenantName, #timezoneName, #dateText { font-size: 16pt; color: #cfe0f0; }
#clock { font-size: 44pt; font-weight: bold; }
#todayHours { font-size: 20pt; }
#todayHours[notice="true"] { color: #ffd27a; font-weight: bold; }
#openNow[open="true"] { color: #8fe38f; font-weight: bold; }
#openNow[open="false"] { color: #ffb3a7; font-weight: bold; }
#checkinPrompt { font-size: 40pt; font-weight: bold; color: #17324d; }
#checkinPanel { background: #eef4fa; border: 3px dashed #7aa3c8; border-radius: 24px; }
#checkinPanel[checkingOut="true"] { background: #e3ebf7; border: 3px solid #1d4f91; }
QPushButton#checkoutMode:checked { background: #1d4f91; color: white; font-weight: bold; }
#checkoutTitle { font-size: 20pt; font-weight: bold; color: #17324d; }
#checkoutMinutes { min-height: 52px; min-width: 160px; font-size: 18pt; }
#hoursPanel { background: #f6f6f6; border-left: 1px solid #ccc; }
#hoursTitle, #enrolTitle { font-size: 26pt; font-weight: bold; }
#hoursToday { font-weight: bold; color: #17324d; }
#hoursPanel QLabel { font-size: 15pt; }
#hoursPanel #hoursTitle { font-size: 22pt; font-weight: bold; }
#deskTitle { font-size: 24pt; font-weight: bold; color: #17324d; }
#staffDesk QListWidget, #memberProfile, #deskMessage { font-size: 15pt; }
#memberAlerts { color: #a35a00; font-weight: bold; }
#noSessions { color: #555; font-style: italic; }
#formError, #pinError { color: #b00020; font-weight: bold; }
#statusOnline { color: #1b7f1b; font-weight: bold; }
#statusOffline { color: #b00020; font-weight: bold; }
#credentialWarning { color: #a35a00; }
QPushButton, QToolButton { min-height: 56px; padding: 4px 20px; }
QLineEdit { min-height: 52px; padding: 0 10px; }
#keypad QPushButton { min-width: 90px; min-height: 70px; font-size: 24pt; }
QStatusBar { font-size: 15pt; }
QStatusBar QLabel { font-size: 15pt; padding: 0 12px; }
QPushButton, QToolButton {
    border: 2px solid #8aa4bd; border-radius: 8px; background: #f4f7fa; color: #17324d;
}
QPushButton:pressed, QToolButton:pressed, QToolButton:checked { background: #dce7f2; }
QPushButton:disabled, QToolButton:disabled { color: #8a8a8a; border-color: #c8c8c8; }
QLineEdit, QListWidget { border: 2px solid #8aa4bd; border-radius: 6px; }
QPushButton:focus, QToolButton:focus, QLineEdit:focus, QListWidget:focus, QComboBox:focus {
    border: 4px solid #1f6fd1;
}
QRadioButton:focus, QCheckBox:focus { background: #dce7f2; }
"""


def apply_style(app: QApplication) -> None:
    font = QFont(app.font())
    font.setPointSize(18)
    app.setFont(font)
    app.setStyleSheet(STYLE)


def repolish(widget: object) -> None:
    """Re-apply the style sheet after a dynamic property used by a selector changed."""
    from PySide6.QtWidgets import QWidget

    if isinstance(widget, QWidget):
        widget.style().unpolish(widget)
        widget.style().polish(widget)
