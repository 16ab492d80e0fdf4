"""Technical messages for staff (camera errors, where the credential is stored): kept off
the member-facing screen and listed on the staff desk instead."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Signal

from shared.clock import utcnow

log = logging.getLogger(__name__)

#: The newest messages kept for the desk; older ones are in the kiosk's log.
KEEP = 100


class Diagnostics(QObject):
    changed = Signal()

    def __init__(self, parent: QObject | None = None, now: Callable[[], datetime] = utcnow):
        super().__init__(parent)
        self._now = now
        self.entries: list[tuple[datetime, str]] = []

    def add(self, message: str) -> None:
        """Record ``message`` once (a repeat of the newest message is not added again)."""
        if not message or (self.entries and self.entries[-1][1] == message):
            return
        log.info("Diagnostic: %s", message)
        self.entries = [*self.entries[-(KEEP - 1) :], (self._now(), message)]
        self.changed.emit()
