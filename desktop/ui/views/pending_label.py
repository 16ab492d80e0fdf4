"""Status bar item: outbox rows waiting for the server, and the age of the oldest."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QLabel, QWidget

from desktop.core.location import describe_age


class PendingLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Pending: 0", parent)
        self.setObjectName("pendingCount")

    def show_pending(self, count: int, oldest: datetime | None, now: datetime) -> None:
        if count == 0 or oldest is None:
            self.setText("Pending: 0")
        else:
            self.setText(f"Pending: {count} (oldest {describe_age(oldest, now)})")
