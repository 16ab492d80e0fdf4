"""Closing the kiosk stops its worker threads within one time budget: all are asked to stop
at once, and one blocked on a call that has not returned is reported, not waited for."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Slot
from pytestqt.qtbot import QtBot

from desktop.workers.tasks import TaskRunner


class Worker(QObject):
    """``start`` blocks until released, as a request to a server that does not answer."""

    def __init__(self, blocked: bool) -> None:
        super().__init__()
        self.release = threading.Event()
        self.started = threading.Event()
        self.stop_requested = threading.Event()
        self.stopped = threading.Event()
        if not blocked:
            self.release.set()

    @Slot()
    def start(self) -> None:
        self.started.set()
        self.release.wait(30)

    @Slot()
    def stop(self) -> None:
        self.stopped.set()

    def request_stop(self) -> None:
        self.stop_requested.set()


def test_shutdown_reports_a_blocked_worker_within_its_budget(qtbot: QtBot) -> None:
    tasks = TaskRunner()
    blocked, free = Worker(blocked=True), Worker(blocked=False)
    tasks.start_worker(blocked, "blocked")
    tasks.start_worker(free, "free")
    assert blocked.started.wait(5) and free.started.wait(5)
    try:
        began = time.monotonic()
        assert tasks.shutdown(400) is False
        took = time.monotonic() - began
        assert took < 1.5, took
        assert blocked.stop_requested.is_set() and free.stop_requested.is_set()
        assert free.stopped.is_set() and not blocked.stopped.is_set()
    finally:
        blocked.release.set()
        assert tasks.stop_worker(blocked, 5_000)  # a QThread must end before it is destroyed
    assert blocked.stopped.is_set()


def test_shutdown_of_workers_that_stop_says_so(qtbot: QtBot) -> None:
    tasks = TaskRunner()
    workers = [Worker(blocked=False) for _ in range(3)]
    for i, worker in enumerate(workers):
        tasks.start_worker(worker, f"worker-{i}")
    assert tasks.shutdown(5_000) is True
    assert all(w.stopped.is_set() for w in workers)
