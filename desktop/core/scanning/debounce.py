"""Ignore a code seen again shortly after, so a phone held up checks a member in once."""

from __future__ import annotations

import time
from collections.abc import Callable


class ScanDebouncer:
    """Accept a code unless it was seen within the last ``window_seconds``.

    Every sighting restarts the code's window, so a code held in front of the camera for a
    minute is accepted once; it is accepted again only after being out of sight for the
    whole window. A different code is accepted at once. ``clock`` returns seconds
    (monotonic by default).
    """

    def __init__(
        self, window_seconds: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if window_seconds < 0:
            raise ValueError("window_seconds must not be negative")
        self.window_seconds = window_seconds
        self._clock = clock
        self._last_seen: dict[str, float] = {}

    def accept(self, code: str) -> bool:
        now = self._clock()
        self._forget_older_than(now - self.window_seconds)
        seen = code in self._last_seen
        self._last_seen[code] = now
        return not seen

    def reset(self) -> None:
        self._last_seen.clear()

    def _forget_older_than(self, cutoff: float) -> None:
        stale = [code for code, seen in self._last_seen.items() if seen <= cutoff]
        for code in stale:
            del self._last_seen[code]
