"""The status bar staff glance at: online or not, how fresh the data is, warnings."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QVBoxLayout, QWidget

from desktop.core.location import describe_age


class KioskStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.connection_label = QLabel("● Connecting…")
        self.connection_label.setObjectName("statusConnecting")
        self.sync_label = QLabel("Last sync: never")
        self.message_label = QLabel("")
        self.message_label.setObjectName("statusMessage")
        self.credential_label = QLabel("")
        self.credential_label.setObjectName("credentialWarning")
        self.credential_label.hide()
        # Two rows: the credential warning (long: it holds a path) gets a line of its own.
        panel = QWidget()
        rows = QVBoxLayout(panel)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(2)
        first = QHBoxLayout()
        first.addWidget(self.connection_label)
        first.addWidget(self.sync_label)
        first.addWidget(self.message_label, 1)
        rows.addLayout(first)
        rows.addWidget(self.credential_label)
        self.addWidget(panel, 1)
        self._last_sync: datetime | None = None

    def set_connection(self, online: bool | None, message: str = "") -> None:
        if online is None:
            text, name = "● Connecting…", "statusConnecting"
        elif online:
            text, name = "● Online", "statusOnline"
        else:
            text, name = "● Offline", "statusOffline"
        self.connection_label.setText(text)
        if self.connection_label.objectName() != name:
            self.connection_label.setObjectName(name)
            self.connection_label.style().unpolish(self.connection_label)
            self.connection_label.style().polish(self.connection_label)
        if online is False and message:
            message = f"{message} — working from saved data"
        self.message_label.setText(message)

    def set_last_sync(self, last_sync: datetime | None, now: datetime) -> None:
        self._last_sync = last_sync
        self.tick(now)

    def tick(self, now: datetime) -> None:
        self.sync_label.setText(f"Last sync: {describe_age(self._last_sync, now)}")

    def set_credential_warning(self, warning: str | None) -> None:
        self.credential_label.setText(warning or "")
        self.credential_label.setVisible(bool(warning))
