"""Tell a USB barcode scanner or card reader (a "keyboard wedge") from a person typing.

Scanners type a whole code in a burst, a few milliseconds a key, and end with Enter; people
leave far longer gaps. Pure Python: the Qt event filter feeds it keys and times.
"""

from __future__ import annotations

#: Longest gap between two keys of one scanned code, in seconds.
MAX_KEY_GAP = 0.05
#: Shortest code taken as a scan (shorter bursts are people or stray keys).
MIN_CODE_LENGTH = 4


class KeystrokeBuffer:
    def __init__(self, max_gap: float = MAX_KEY_GAP, min_length: int = MIN_CODE_LENGTH) -> None:
        self.max_gap = max_gap
        self.min_length = min_length
        self._chars: list[str] = []
        self._last = 0.0

    def key(self, text: str, at: float) -> None:
        """A printable key at ``at`` seconds; a long pause starts a new burst."""
        if self._chars and at - self._last > self.max_gap:
            self._chars.clear()
        self._chars.append(text)
        self._last = at

    def enter(self, at: float) -> str | None:
        """Enter pressed: the scanned code, or None when the keys were typed by a person."""
        burst = "".join(self._chars)
        fast = bool(self._chars) and at - self._last <= self.max_gap
        self._chars.clear()
        return burst if fast and len(burst) >= self.min_length else None

    def reset(self) -> None:
        self._chars.clear()
