"""The sync worker: refreshes the kiosk's cache off the UI thread, on a timer and on request."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop.core.kiosk import KioskCore, KioskStatus

log = logging.getLogger(__name__)


class SyncWorker(QObject):
    """Lives in its own QThread; reports to the UI only through its signals."""

    #: online, last successful sync (datetime or None), a message for staff ("" when fine)
    status_changed = Signal(bool, object, str)
    #: the cached location data changed: reload what is shown
    snapshot_updated = Signal()
    #: the full status after each attempt, for views that want more than the summary
    status_report = Signal(object)

    def __init__(self, core: KioskCore, interval_seconds: float = 30.0) -> None:
        super().__init__()
        self._core = core
        self._interval_ms = max(1, int(interval_seconds * 1000))
        self._timer: QTimer | None = None

    @Slot()
    def start(self) -> None:
        """Run in the worker thread (connect to ``QThread.started``): first refresh, then timer."""
        self._timer = QTimer(self)
        self._timer.setInterval(self._interval_ms)
        self._timer.timeout.connect(self.refresh_now)
        self._timer.start()
        self.refresh_now()

    @Slot()
    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    @Slot()
    def refresh_now(self) -> None:
        before = self._core.status().last_sync_at
        try:
            status = self._core.refresh()
        except Exception:  # a bug must not kill the worker thread; the next tick retries
            log.exception("Sync refresh failed unexpectedly")
            return
        self._report(status, changed=status.last_sync_at != before)

    def _report(self, status: KioskStatus, *, changed: bool) -> None:
        # A successful refresh clears last_error, so any message here is current trouble.
        message = status.last_error or ""
        self.status_changed.emit(bool(status.online), status.last_sync_at, message)
        self.status_report.emit(status)
        if changed:
            self.snapshot_updated.emit()
