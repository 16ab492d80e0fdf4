"""Clocks: UTC wall time, and a hybrid logical clock for ordering a device's own events.

The hybrid logical clock (Kulkarni et al., 2014) keeps causality across devices even when
their wall clocks disagree: it never goes backwards, and it moves past any timestamp it has
received. The server never orders anything by a kiosk's clock; the HLC is kept for audit and
for ordering a single device's events.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime; naive values are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True, order=True)
class HlcTimestamp:
    """Physical milliseconds since the epoch, a logical counter, and the node that made it."""

    wall_ms: int
    counter: int
    node: str = ""

    def encode(self) -> str:
        """A fixed-width string that sorts the same way as the timestamp."""
        return f"{self.wall_ms:015d}-{self.counter:05d}-{self.node}"

    @classmethod
    def decode(cls, text: str) -> HlcTimestamp:
        try:
            wall, counter, node = text.split("-", 2)
            return cls(int(wall), int(counter), node)
        except ValueError:
            raise ValueError(f"{text!r} is not a hybrid logical clock timestamp") from None


class HybridLogicalClock:
    """A thread-safe hybrid logical clock for one node."""

    def __init__(self, node: str, wall_ms: Callable[[], int] | None = None) -> None:
        self._node = node
        self._wall_ms = wall_ms or (lambda: time.time_ns() // 1_000_000)
        self._last = HlcTimestamp(0, 0, node)
        self._lock = threading.Lock()

    def now(self) -> HlcTimestamp:
        """A timestamp for a local event, strictly greater than every earlier one."""
        with self._lock:
            physical = self._wall_ms()
            if physical > self._last.wall_ms:
                self._last = HlcTimestamp(physical, 0, self._node)
            else:
                self._last = HlcTimestamp(self._last.wall_ms, self._last.counter + 1, self._node)
            return self._last

    def observe(self, remote: HlcTimestamp) -> HlcTimestamp:
        """Merge a timestamp received from another node; returns the new local time."""
        with self._lock:
            physical = self._wall_ms()
            wall = max(physical, self._last.wall_ms, remote.wall_ms)
            if wall == self._last.wall_ms == remote.wall_ms:
                counter = max(self._last.counter, remote.counter) + 1
            elif wall == self._last.wall_ms:
                counter = self._last.counter + 1
            elif wall == remote.wall_ms:
                counter = remote.counter + 1
            else:
                counter = 0
            self._last = HlcTimestamp(wall, counter, self._node)
            return self._last

    def restore(self, last: HlcTimestamp) -> None:
        """Continue after a restart from the last timestamp this node issued."""
        with self._lock:
            if last > self._last:
                self._last = HlcTimestamp(last.wall_ms, last.counter, self._node)
