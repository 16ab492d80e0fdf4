"""How work leaves the UI thread: the one place the kiosk makes threads.

- Long-lived workers (sync, camera) are QObjects moved to a QThread of their own. ``start``
  runs in that thread when it starts and ``stop`` as it ends; they talk to the UI only
  through their Signals.
- One-off tasks (enrolment) run a blocking call on a QThread of their own; the answer comes
  back to the UI thread through Signals.
- A blocking loop that quitting must never wait for (a long-poll the server holds open) runs
  on a daemon thread: a QThread may not be destroyed while it runs, a daemon thread is simply
  dropped at exit. It reports through its owner's Signals too.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

log = logging.getLogger(__name__)


class TaskRunner(QObject):
    """Lives in the UI thread; owns the threads of the workers and tasks it starts."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workers: dict[QObject, QThread] = {}
        self._tasks: set[_Task] = set()

    # -- long-lived workers ----------------------------------------------------------------

    def start_worker(self, worker: QObject, name: str) -> None:
        """Move ``worker`` (with ``start`` and ``stop`` slots) to a new thread and start it."""
        thread = QThread()
        thread.setObjectName(name)
        worker.moveToThread(thread)
        thread.started.connect(worker.start)  # type: ignore[attr-defined]
        # Direct: ``stop`` runs in the worker's own thread, as its event loop ends.
        thread.finished.connect(worker.stop, Qt.ConnectionType.DirectConnection)  # type: ignore[attr-defined]
        self._workers[worker] = thread
        thread.start()

    def stop_worker(self, worker: QObject, timeout_ms: int = 5_000) -> bool:
        """End the worker's thread (its ``stop`` runs there first); False if it did not end
        within ``timeout_ms``."""
        thread = self._workers.pop(worker, None)
        if thread is None:
            return True
        thread.quit()
        if thread.wait(timeout_ms):
            return True
        log.warning("The %s thread did not stop in time", thread.objectName())
        self._workers[worker] = thread  # still running: keep it from being destroyed
        return False

    # -- one-off tasks -----------------------------------------------------------------------

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[Exception], None],
    ) -> None:
        """Call ``fn`` off the UI thread; ``on_done(result)`` or ``on_failed(exc)`` then runs
        in the UI thread."""
        task = _Task(fn, on_done, on_failed, self._tasks.discard)
        self._tasks.add(task)
        task.start()

    # -- the end -----------------------------------------------------------------------------

    def shutdown(self, timeout_ms: int) -> bool:
        """Stop the workers (all at once) and wait for running tasks, within ``timeout_ms`` in
        all; False if a thread is still running then (blocked on a request, say)."""
        deadline = time.monotonic() + timeout_ms / 1000
        workers = list(reversed(list(self._workers)))
        for worker in workers:
            # A worker inside a long call sees this at once; quit only when it returns.
            request_stop = getattr(worker, "request_stop", None)
            if callable(request_stop):
                request_stop()
            self._workers[worker].quit()
        stopped = True
        for worker in workers:
            stopped = self.stop_worker(worker, _ms_left(deadline)) and stopped
        for task in list(self._tasks):
            stopped = task.wait(_ms_left(deadline)) and stopped
        return stopped


def _ms_left(deadline: float) -> int:
    return max(0, int((deadline - time.monotonic()) * 1000))


def start_daemon(target: Callable[[], None], name: str) -> threading.Event:
    """Run ``target`` on a daemon thread; the event is set once it has returned."""
    done = threading.Event()

    def run() -> None:
        try:
            target()
        finally:
            done.set()

    threading.Thread(target=run, name=name, daemon=True).start()
    return done


#: Tasks whose thread has not finished yet: a QThread must outlive its run, whoever started it.
_running: set[_Task] = set()


class _Task:
    """One call on a QThread of its own; its answer delivered by a relay in the UI thread."""

    def __init__(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[Exception], None],
        forget: Callable[[_Task], None],
    ) -> None:
        self._relay = _Relay(on_done, on_failed, lambda: self._finished(forget))
        self._call = _Call(fn)
        self._thread = QThread()
        self._thread.setObjectName("zmos-task")
        self._call.moveToThread(self._thread)
        self._thread.started.connect(self._call.run)
        self._call.done.connect(self._relay.deliver_done)
        self._call.failed.connect(self._relay.deliver_failed)
        self._call.finished.connect(self._thread.quit, Qt.ConnectionType.DirectConnection)
        # Queued after the answer (same threads, so in order): the thread has ended by then.
        self._thread.finished.connect(self._relay.release)

    def start(self) -> None:
        _running.add(self)
        self._thread.start()

    def wait(self, timeout_ms: int) -> bool:
        return self._thread.wait(timeout_ms)

    def _finished(self, forget: Callable[[_Task], None]) -> None:
        self._thread.wait()  # returns at once: only the last few instructions were left
        _running.discard(self)
        forget(self)


class _Call(QObject):
    done = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self._fn = fn

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:
            self.failed.emit(exc)
        else:
            self.done.emit(result)
        finally:
            self.finished.emit()


class _Relay(QObject):
    """Lives in the UI thread, so the answers emitted in the task's thread arrive queued."""

    def __init__(
        self,
        on_done: Callable[[Any], None],
        on_failed: Callable[[Exception], None],
        on_released: Callable[[], None],
    ) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_failed = on_failed
        self._on_released = on_released

    @Slot(object)
    def deliver_done(self, result: Any) -> None:
        self._on_done(result)

    @Slot(object)
    def deliver_failed(self, exc: Exception) -> None:
        self._on_failed(exc)

    @Slot()
    def release(self) -> None:
        self._on_released()
