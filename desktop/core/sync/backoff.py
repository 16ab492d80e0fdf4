"""Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And
Jitter"): after the n-th failure in a row wait a random time in [0, min(cap, base·2ⁿ)].

Full jitter spreads the retries of many kiosks that lost the same server at once, so they do
not come back in lockstep. A success resets the count.
"""

from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    def __init__(
        self,
        base: float = 0.5,
        cap: float = 60.0,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if base <= 0 or cap < base:
            raise ValueError("need 0 < base <= cap")
        self.base, self.cap = base, cap
        self._rng = rng
        self.failures = 0

    def ceiling(self) -> float:
        """The longest wait after the current number of failures."""
        if self.failures == 0:
            return 0.0
        # Capped exponent: 2**n overflows a float long before anyone waits that long.
        return float(min(self.cap, self.base * 2 ** min(self.failures - 1, 60)))

    def failure(self) -> float:
        """Count one more failure; returns how long to wait before the next attempt."""
        self.failures += 1
        return self._rng() * self.ceiling()

    def success(self) -> None:
        self.failures = 0
