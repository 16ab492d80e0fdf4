"""Writes outbox rows with the device time and the hybrid logical clock (DESIGN.md §5.3)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from desktop.core.store import OutboxRepository, Store
from shared.clock import HlcTimestamp, HybridLogicalClock

CHECKIN_CREATE = "checkin.create.v1"
MEMBER_CREATE = "member.create.v1"
SALE_CREATE = "sale.create.v1"
BOOKING_CREATE = "booking.create.v1"
BOOKING_ATTEND = "booking.attend.v1"


class OutboxWriter:
    """Appends mutations inside the caller's transaction.

    The clock is restored from the newest value the database holds, so timestamps keep
    increasing across restarts even when the wall clock went back.
    """

    def __init__(self, store: Store, node: str, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now
        self._clock = HybridLogicalClock(node, wall_ms=lambda: int(now().timestamp() * 1000))
        self._lock = threading.Lock()
        last = OutboxRepository(store.connection()).last_hlc()
        if last is not None:
            self._clock.restore(HlcTimestamp.decode(last))

    def append(
        self, conn: sqlite3.Connection, name: str, args: dict[str, Any], at: datetime
    ) -> int:
        with self._lock:
            hlc = self._clock.now().encode()
        mutation_id = OutboxRepository(conn).append(name, args, device_time=at, hlc=hlc)
        self._store.mark_outbox_written()
        return mutation_id
