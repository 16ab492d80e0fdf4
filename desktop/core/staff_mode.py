"""Staff mode: after a staff PIN, the desk acts for that staff member without asking again
until :data:`IDLE_TIMEOUT` passes with nothing done (or staff end it)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from desktop.core.staff_pins import StaffMember

IDLE_TIMEOUT = timedelta(minutes=2)


class StaffMode:
    def __init__(self, now: Callable[[], datetime], timeout: timedelta = IDLE_TIMEOUT) -> None:
        self._now = now
        self._timeout = timeout
        self._lock = threading.Lock()
        self._staff: StaffMember | None = None
        self._last_use: datetime | None = None

    def begin(self, staff: StaffMember) -> None:
        with self._lock:
            self._staff, self._last_use = staff, self._now()

    def end(self) -> None:
        with self._lock:
            self._staff, self._last_use = None, None

    def current(self) -> StaffMember | None:
        """The staff member in staff mode, or None (never started, ended or timed out)."""
        with self._lock:
            if self._staff is None or self._last_use is None:
                return None
            if self._now() - self._last_use >= self._timeout:
                self._staff, self._last_use = None, None
                return None
            return self._staff

    def use(self) -> StaffMember | None:
        """:meth:`current`, counting as use: the time-out starts again."""
        staff = self.current()
        if staff is not None:
            with self._lock:
                self._last_use = self._now()
        return staff

    def remaining(self) -> timedelta:
        """How long until staff mode ends if nothing is done (zero when not in it)."""
        if self.current() is None:
            return timedelta(0)
        with self._lock:
            assert self._last_use is not None
            return max(timedelta(0), self._last_use + self._timeout - self._now())
