"""Periodic background work of a server process (sending notices, closing sessions, pruning).

Each job is a callable without arguments (bootstrap binds the collaborators it uses), run on
one daemon thread per process at its interval. With several server processes every process
runs every job, so a job must be safe to run concurrently with itself: conditional updates,
never read-then-write.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from server.db.actor import Actor, acting_as

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    interval_seconds: float
    run: Callable[[], object]


class JobRunner:
    """Runs jobs at their intervals until stopped; one failing run is logged, not fatal."""

    def __init__(self, jobs: Sequence[Job]) -> None:
        self._jobs = list(jobs)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not self._jobs or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="zmos-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self, job: Job) -> None:
        try:
            # What a job changes is the system's doing, named after the job in the audit log.
            with acting_as(Actor("system", name=job.name)):
                job.run()
        except Exception:
            log.exception("background job %s failed; it runs again at its next interval", job.name)

    def _loop(self) -> None:
        due = {job.name: time.monotonic() + job.interval_seconds for job in self._jobs}
        while not self._stop.is_set():
            now = time.monotonic()
            for job in self._jobs:
                if now >= due[job.name]:
                    self._run(job)
                    due[job.name] = time.monotonic() + job.interval_seconds
            wait = min(due.values()) - time.monotonic()
            self._stop.wait(max(0.05, wait))
