"""The outbox: one row per user action, removed only once acknowledged."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktop.core.store.codec import decode_time, encode_time
from desktop.core.store.records import OutboxEntry


class OutboxRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def append(self, name: str, args: dict[str, Any], *, device_time: datetime, hlc: str) -> int:
        """Add a mutation; returns its ``mutation_id`` (larger than any id ever issued)."""
        cursor = self._conn.execute(
            """INSERT INTO outbox (name, args_json, device_time, hlc, created_at)
               VALUES (?, ?, ?, ?, ?)""",
            (
                name,
                json.dumps(args, separators=(",", ":"), sort_keys=True),
                encode_time(device_time),
                hlc,
                encode_time(device_time),
            ),
        )
        mutation_id = cursor.lastrowid
        assert mutation_id is not None
        return mutation_id

    def pending(self, limit: int = 500, *, after: int = 0) -> list[OutboxEntry]:
        """The oldest ``limit`` rows with ids above ``after``."""
        rows = self._conn.execute(
            "SELECT * FROM outbox WHERE mutation_id > ? ORDER BY mutation_id LIMIT ?",
            (after, limit),
        ).fetchall()
        return [_entry(r) for r in rows]

    def pending_wire(self, limit: int = 500, *, after: int = 0) -> list[WireRow]:
        """As :meth:`pending`, but with the arguments as the JSON text stored: what a push
        sends, without decoding and encoding every row's arguments again."""
        rows = self._conn.execute(
            """SELECT mutation_id, name, args_json, device_time, hlc FROM outbox
               WHERE mutation_id > ? ORDER BY mutation_id LIMIT ?""",
            (after, limit),
        ).fetchall()
        return [
            WireRow(
                mutation_id=int(r["mutation_id"]),
                name=r["name"],
                args_json=r["args_json"],
                device_time=decode_time(r["device_time"]),
                hlc=r["hlc"],
            )
            for r in rows
        ]

    def entries(self, mutation_ids: list[int]) -> list[OutboxEntry]:
        """These rows (those still in the outbox), oldest first."""
        found: list[OutboxEntry] = []
        for start in range(0, len(mutation_ids), 500):  # SQLite's variable limit
            chunk = mutation_ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT * FROM outbox WHERE mutation_id IN ({marks})", chunk
            ).fetchall()
            found.extend(_entry(r) for r in rows)
        return sorted(found, key=lambda e: e.mutation_id)

    def pending_count(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])

    def oldest_pending_at(self) -> datetime | None:
        row = self._conn.execute(
            "SELECT created_at FROM outbox ORDER BY mutation_id LIMIT 1"
        ).fetchone()
        return None if row is None else decode_time(row["created_at"])

    def last_hlc(self) -> str | None:
        """The newest clock value this database issued, even if its row was acknowledged."""
        row = self._conn.execute(
            """SELECT hlc FROM (
                   SELECT hlc FROM (SELECT hlc FROM outbox ORDER BY mutation_id DESC LIMIT 1)
                   UNION ALL SELECT value FROM store_meta WHERE key = 'acknowledged_hlc')
               ORDER BY hlc DESC LIMIT 1"""
        ).fetchone()
        return None if row is None else str(row["hlc"])

    def remove(self, mutation_ids: list[int]) -> int:
        """Remove these rows (acknowledged, or moved to the rejected table); returns how many.

        The newest clock value among them is kept, so the clock never goes back (see
        :meth:`last_hlc`)."""
        if not mutation_ids:
            return 0
        removed = 0
        for start in range(0, len(mutation_ids), 500):  # SQLite's variable limit
            chunk = mutation_ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            self._conn.execute(
                f"""INSERT INTO store_meta (key, value)
                    SELECT 'acknowledged_hlc', MAX(hlc) FROM outbox
                    WHERE mutation_id IN ({marks}) HAVING MAX(hlc) IS NOT NULL
                    ON CONFLICT (key) DO UPDATE SET value = MAX(value, excluded.value)""",
                chunk,
            )
            removed += self._conn.execute(
                f"DELETE FROM outbox WHERE mutation_id IN ({marks})", chunk
            ).rowcount
        return removed

    def first_pending_id(self) -> int | None:
        row = self._conn.execute("SELECT MIN(mutation_id) FROM outbox").fetchone()
        return None if row[0] is None else int(row[0])


@dataclass(frozen=True)
class WireRow:
    """An outbox row as a push sends it: the arguments as their stored JSON text."""

    mutation_id: int
    name: str
    args_json: str
    device_time: datetime
    hlc: str


def _entry(row: sqlite3.Row) -> OutboxEntry:
    return OutboxEntry(
        mutation_id=int(row["mutation_id"]),
        name=row["name"],
        args=json.loads(row["args_json"]),
        device_time=decode_time(row["device_time"]),
        hlc=row["hlc"],
        created_at=decode_time(row["created_at"]),
    )
