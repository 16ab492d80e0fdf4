"""The check-in screen members face. The check-in issue fills it; today it invites a scan."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

PROMPT = "Show your QR code or scan your card"


class CheckinView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkinView")

        panel = QFrame()
        panel.setObjectName("checkinPanel")
        self.prompt_label = QLabel(PROMPT)
        self.prompt_label.setObjectName("checkinPrompt")
        self.prompt_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt_label.setWordWrap(True)
        self.hint_label = QLabel("Hold your phone's screen up to the camera, or tap your card")
        self.hint_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint_label.setWordWrap(True)
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(40, 60, 40, 60)
        inner.addStretch(1)
        inner.addWidget(self.prompt_label)
        inner.addWidget(self.hint_label)
        inner.addStretch(1)

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("memberSearch")
        self.search_edit.setPlaceholderText("Search by name or phone")
        self.search_edit.setClearButtonEnabled(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        layout.setSpacing(24)
        layout.addWidget(panel, 1)
        layout.addWidget(self.search_edit)
