"""Sign-in throttling rules, as plain functions."""

from __future__ import annotations

import ipaddress
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


def client_key(peer: str | None, forwarded: str | None) -> str:
    """The address sign-in failures are counted under.

    ``forwarded`` is the trusted proxy's header, when one is configured: its last entry is
    the address the proxy itself saw (entries before it come from the client, who can write
    anything). IPv6 counts by /64 network, the block one subscriber gets, so that a client
    cannot step to a fresh address for every guess.
    """
    candidates = [forwarded.rsplit(",", 1)[-1].strip()] if forwarded else []
    candidates.append(peer or "")
    for text in candidates:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            continue
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
            return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
        return str(getattr(address, "ipv4_mapped", None) or address)
    # Not an IP address (a Unix socket, a test client): still one client.
    return (peer or "unknown")[:64]
