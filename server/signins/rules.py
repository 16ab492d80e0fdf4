"""Sign-in throttling rules, as plain functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    window_started_at: datetime
    locked_until: datetime | None


def seconds_locked(state: ThrottleState | None, now: datetime) -> int:
    """Seconds until the account may try again; 0 when it may try now."""
    if state is None or state.locked_until is None or state.locked_until <= now:
        return 0
    return max(1, int((state.locked_until - now).total_seconds() + 0.999))


def after_failure(
    state: ThrottleState | None, now: datetime, *, max_failures: int, lockout_seconds: int
) -> ThrottleState:
    """Count one failed login. Failures older than the lock-out period are forgotten."""
    window = timedelta(seconds=lockout_seconds)
    if state is None or now - state.window_started_at > window:
        state = ThrottleState(0, now, None)
    failures = state.failures + 1
    locked = now + window if failures >= max_failures else None
    return ThrottleState(failures, state.window_started_at, locked)
