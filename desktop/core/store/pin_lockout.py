"""Wrong staff PINs in a row at this kiosk, and until when PINs are refused. Callers own
the transaction."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from desktop.core.store.codec import decode_opt_time, encode_opt_time


@dataclass(frozen=True)
class PinLockout:
    failures: int
    locked_until: datetime | None


class PinLockoutRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self) -> PinLockout:
        row = self._conn.execute(
            "SELECT failures, locked_until FROM pin_lockout WHERE singleton = 1"
        ).fetchone()
        if row is None:
            return PinLockout(0, None)
        return PinLockout(int(row["failures"]), decode_opt_time(row["locked_until"]))

    def save(self, state: PinLockout) -> None:
        self._conn.execute(
            """INSERT INTO pin_lockout (singleton, failures, locked_until) VALUES (1, ?, ?)
               ON CONFLICT (singleton) DO UPDATE
               SET failures = excluded.failures, locked_until = excluded.locked_until""",
            (state.failures, encode_opt_time(state.locked_until)),
        )
