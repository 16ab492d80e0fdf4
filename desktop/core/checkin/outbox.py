"""Writes outbox rows with the device time and the hybrid logical clock."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from desktop.core.store import DeviceRepository, OutboxRepository, Store
from shared.clock import HlcTimestamp, HybridLogicalClock

CHECKIN_CREATE = "checkin.create.v1"
CHECKIN_CHECKOUT = "checkin.checkout.v1"
MEMBER_CREATE = "member.create.v1"
MEMBER_CARD_ASSIGN = "member.card.assign.v1"
SALE_CREATE = "sale.create.v1"
BOOKING_CREATE = "booking.create.v1"
BOOKING_ATTEND = "booking.attend.v1"


class OutboxWriter:
    """Appends mutations inside the caller's transaction (one writer per kiosk).

    The clock's node is the enrolled device's id (this database's id before enrolment). It is
    made at the first append and restored from the newest value the database holds, so
    timestamps keep increasing across restarts even when the wall clock went back.
    """

    def __init__(self, store: Store, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now
        self._lock = threading.Lock()
        self._clock: HybridLogicalClock | None = None

    def append(
        self, conn: sqlite3.Connection, name: str, args: dict[str, Any], at: datetime
    ) -> int:
        with self._lock:
            clock = self._clock or self._start_clock(conn)
            hlc = clock.now().encode()
        mutation_id = OutboxRepository(conn).append(name, args, device_time=at, hlc=hlc)
        self._store.mark_outbox_written()
        return mutation_id

    def reset(self) -> None:
        """After enrolment: the next append starts a clock whose node is the new device."""
        with self._lock:
            self._clock = None

    def _start_clock(self, conn: sqlite3.Connection) -> HybridLogicalClock:
        device = DeviceRepository(conn).get()
        node = str(device.device_id) if device else self._store.instance_id
        now = self._now
        clock = HybridLogicalClock(node, wall_ms=lambda: int(now().timestamp() * 1000))
        last = OutboxRepository(conn).last_hlc()
        if last is not None:
            clock.restore(HlcTimestamp.decode(last))
        self._clock = clock
        return clock
