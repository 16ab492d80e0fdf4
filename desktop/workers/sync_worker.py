"""The sync worker: pushes the outbox and pulls server changes off the UI thread.

Two loops. The worker's own thread pushes: at once after every local write (the core calls
:meth:`SyncWorker.nudge`), on reconnect, on a timer, and after a failure with exponential
backoff and jitter. While offline it also probes the server's health check every few
seconds and syncs at once when it answers, so a kiosk is back soon after its server even
when its retries have backed off to a minute. A listener long-polls
``GET /sync/pull?wait=…`` on a daemon thread of its own (see :mod:`desktop.workers.tasks`)
so that an online kiosk sees a server change within a second; a long-poll would otherwise
hold up pushes. Both report to the UI only
through signals.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop.core.kiosk import KioskCore
from desktop.core.sync.backoff import Backoff
from desktop.core.sync.kiosk_sync import KioskStatus
from desktop.core.sync.status_text import status_message
from desktop.workers.tasks import start_daemon

log = logging.getLogger(__name__)

#: How long the server may hold a pull open for us.
LONG_POLL_SECONDS = 20.0
#: A pull that comes back empty this fast was not held: wait a little before the next one.
MIN_POLL_PERIOD = 0.5
#: While offline, how often to ask the server whether it is back, and how long to wait for
#: the answer (short: a probe holds up the worker thread).
PROBE_SECONDS = 2.0
PROBE_TIMEOUT = 1.5


class SyncWorker(QObject):
    """Started on a thread of its own by :class:`~desktop.workers.tasks.TaskRunner`;
    reports to the UI only through its signals."""

    #: online, last successful sync (datetime or None), a message for staff ("" when fine)
    status_changed = Signal(bool, object, str)
    #: the cached location data changed: reload what is shown
    snapshot_updated = Signal()
    #: the full :class:`KioskStatus` after each attempt (pending, reviews, refusals…)
    status_report = Signal(object)
    #: internal: push now (True: even if a retry is scheduled); queued to the worker thread
    _wake = Signal(bool)

    def __init__(
        self,
        core: KioskCore,
        interval_seconds: float = 30.0,
        long_poll_seconds: float = LONG_POLL_SECONDS,
        probe_seconds: float = PROBE_SECONDS,
    ) -> None:
        super().__init__()
        self._core = core
        self._interval = max(0.001, interval_seconds)
        self._long_poll = long_poll_seconds
        self._timer: QTimer | None = None
        self._retry: QTimer | None = None
        self._probe_interval = max(0.001, probe_seconds)
        self._probe_timer: QTimer | None = None
        #: monotonic time before which the probe stays quiet (see :meth:`_probe`)
        self._probe_quiet_until = 0.0
        self._push_backoff = Backoff()
        self._pull_backoff = Backoff()
        self._stopping = threading.Event()
        self._kick = threading.Event()  # wakes the listener from a backoff sleep
        self._listener_done: threading.Event | None = None
        self._unsubscribe: Callable[[], None] = lambda: None
        self._wake.connect(self._push_now)

    # -- lifecycle (worker thread) ---------------------------------------------------------

    @Slot()
    def start(self) -> None:
        """Runs as the worker's thread starts: first sync, then timers and the listener."""
        self._timer = QTimer(self)
        self._timer.setInterval(int(self._interval * 1000))
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(lambda: self._push_now(True))
        self._probe_timer = QTimer(self)
        self._probe_timer.setInterval(int(self._probe_interval * 1000))
        self._probe_timer.timeout.connect(self._probe)
        self._probe_timer.start()
        self._unsubscribe = self._core.sync.on_local_write(self.nudge)
        self.refresh_now()
        self._listener_done = start_daemon(self._listen_until_stopped, "zmos-pull")

    @Slot()
    def stop(self) -> None:
        """Stop both loops. A long-poll in flight is abandoned (its thread is a daemon and
        drops its answer), so quitting never waits for the server."""
        self._stopping.set()
        self._kick.set()
        self._unsubscribe()
        for timer in (self._timer, self._retry, self._probe_timer):
            if timer is not None:
                timer.stop()
        self._timer = self._retry = self._probe_timer = None
        if self._listener_done is not None:
            # Not Thread.join: called from a QThread, it would register that thread with
            # Python's threading module for good (a "dummy" thread that never ends).
            self._listener_done.wait(timeout=0.5)
            self._listener_done = None

    # -- requests from other threads --------------------------------------------------------

    def request_stop(self) -> None:
        """Thread-safe: start no more requests or writes. A request in flight still runs to
        its end (or timeout); :meth:`stop` follows as the thread ends."""
        self._stopping.set()
        self._kick.set()

    def nudge(self) -> None:
        """Thread-safe: a local write was committed; push it soon (now, when online)."""
        if not self._stopping.is_set():
            self._wake.emit(False)

    @Slot()
    def refresh_now(self) -> None:
        """ "Sync now", and the first sync: push, then fetch what changed."""
        if self._stopping.is_set():
            return
        try:
            core = self._core
            if core.sync.awaits_snapshot() or not core.sync.has_cursor():
                before = core.sync.status().last_sync_at
                status = core.sync.refresh()
                if status.last_sync_at != before:
                    self.snapshot_updated.emit()
            self._push_now(True)
        except Exception:  # a bug must not kill the worker thread; the next tick retries
            log.exception("Sync failed unexpectedly")
        self._kick.set()

    # -- pushing (worker thread) ------------------------------------------------------------

    @Slot(bool)
    def _push_now(self, force: bool = False) -> None:
        if self._stopping.is_set():
            return
        if not force and self._retry is not None and self._retry.isActive():
            return  # offline: the scheduled retry will take it
        if not force and self._core.sync.status().needs_enrolment:
            return  # revoked: nothing will go until staff enrol the kiosk again
        try:
            result = self._core.sync.push()
        except Exception:
            log.exception("Push failed unexpectedly")
            result = None
        status = self._core.sync.status()
        if result is None and status.online is False:
            delay = self._push_backoff.failure()
            if self._retry is not None:
                self._retry.start(int(delay * 1000))
        else:
            self._push_backoff.success()
            if self._retry is not None:
                self._retry.stop()
        self._report(status)

    @Slot()
    def _tick(self) -> None:
        if self._core.sync.awaits_snapshot():
            self.refresh_now()  # a server without push/pull: the snapshot is all there is
            return
        if self._core.sync.pending_count():
            self._push_now(False)
        else:
            self._report(self._core.sync.status())

    @Slot()
    def _probe(self) -> None:
        """Offline: if the server answers its health check, sync now (push, and wake the
        listener from its backoff) instead of waiting for the retries."""
        sync = self._core.sync
        if self._stopping.is_set() or not sync.offline or sync.status().needs_enrolment:
            return
        if time.monotonic() < self._probe_quiet_until:
            return
        timeout = min(PROBE_TIMEOUT, self._probe_interval)
        if sync.probe(timeout) and not self._stopping.is_set():
            log.info("The server answers again; syncing now")
            self.refresh_now()
            if sync.offline and self._retry is not None and self._retry.isActive():
                # Healthy, yet sync still fails (e.g. 5xx on push): leave it to the backoff,
                # or every kiosk would hit a failing server every few seconds.
                self._probe_quiet_until = time.monotonic() + self._retry.remainingTime() / 1000

    # -- pulling (listener thread) ----------------------------------------------------------

    def _listen_until_stopped(self) -> None:
        while not self._stopping.is_set():
            try:
                delay = self._listen_once()
            except Exception:
                if self._stopping.is_set():
                    return
                log.exception("Pull failed unexpectedly")
                delay = self._pull_backoff.failure()
            if delay > 0 and not self._stopping.is_set():
                self._kick.wait(delay)
                self._kick.clear()

    def _listen_once(self) -> float:
        """One long-poll; returns how long to wait before the next."""
        core = self._core
        if (
            not core.is_enrolled()
            or core.sync.awaits_snapshot()
            or core.sync.status().needs_enrolment
        ):
            return self._interval
        started = time.monotonic()
        applied = core.sync.pull(wait=self._long_poll)
        if self._stopping.is_set():
            return 0.0
        status = core.sync.status()
        if applied is None:
            self._report(status)
            if core.sync.awaits_snapshot() or status.needs_enrolment:
                return self._interval
            return self._pull_backoff.failure()
        if self._pull_backoff.failures:  # back online: push what waited
            self._wake.emit(True)
        self._pull_backoff.success()
        if applied:
            self.snapshot_updated.emit()
        self._report(status)
        self._fetch_photos()
        quick = time.monotonic() - started < MIN_POLL_PERIOD
        return MIN_POLL_PERIOD if quick and not applied else 0.0

    def _fetch_photos(self) -> None:
        """Member thumbnails, a few after each pull; a failure here must not slow pulls."""
        try:
            self._core.sync.photos.fetch_some(stopping=self._stopping.is_set)
        except Exception:
            log.exception("Fetching member photos failed")

    # -- reporting --------------------------------------------------------------------------

    def _report(self, status: KioskStatus) -> None:
        if self._stopping.is_set():
            return
        self.status_changed.emit(bool(status.online), status.last_sync_at, status_message(status))
        self.status_report.emit(status)
