"""Status bar item: outbox rows waiting for the server, and the age of the oldest."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QLabel, QWidget

from desktop.core.sync.status_text import pending_text


class PendingLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("All synced", parent)
        self.setObjectName("pendingCount")

    def show_pending(self, count: int, oldest: datetime | None, now: datetime) -> None:
        """ "Pending: 3 waiting to sync (oldest 4 min)", or "All synced"."""
        text = pending_text(count, oldest, now)
        self.setText(f"Pending: {text}" if count > 0 else text)
