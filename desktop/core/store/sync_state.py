"""Incremental sync bookkeeping: the pull cursor, acknowledged mutations, refused mutations.

The cursor and the last acknowledged mutation id only move forward (``MAX``), whatever order
answers arrive in. Callers own the transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from desktop.core.store.records import OutboxEntry, ts
from shared.clock import ensure_utc


@dataclass(frozen=True)
class SyncState:
    cursor: int
    #: Whether the cursor came from the server (a snapshot with a cursor, or a pull).
    has_cursor: bool
    last_mutation_id: int
    mutation_base: int
    last_pull_at: datetime | None
    last_push_at: datetime | None


@dataclass(frozen=True)
class RejectedMutation:
    mutation_id: int
    name: str
    args: dict[str, object]
    device_time: datetime
    reason: str
    rejected_at: datetime


def _dt(value: str | None) -> datetime | None:
    return None if value is None else ensure_utc(datetime.fromisoformat(value))


class SyncStateRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self) -> SyncState:
        row = self._conn.execute("SELECT * FROM sync_state WHERE singleton = 1").fetchone()
        return SyncState(
            cursor=int(row["cursor"]),
            has_cursor=bool(row["has_cursor"]),
            last_mutation_id=int(row["last_mutation_id"]),
            mutation_base=int(row["mutation_base"]),
            last_pull_at=_dt(row["last_pull_at"]),
            last_push_at=_dt(row["last_push_at"]),
        )

    def advance_cursor(self, cursor: int, at: datetime) -> None:
        self._conn.execute(
            """UPDATE sync_state SET cursor = MAX(cursor, ?), has_cursor = 1, last_pull_at = ?
               WHERE singleton = 1""",
            (cursor, ts(at)),
        )

    def acknowledge(self, last_mutation_id: int, at: datetime) -> None:
        self._conn.execute(
            """UPDATE sync_state SET last_mutation_id = MAX(last_mutation_id, ?), last_push_at = ?
               WHERE singleton = 1""",
            (last_mutation_id, ts(at)),
        )

    def reset(self) -> None:
        """A new enrolment: a new device, whose first mutation on the server is number 1.

        The outbox keeps its ids (and what is still in it goes to the new device): the
        offset makes the oldest pending row, or the next one written, number 1."""
        self._conn.execute(
            """UPDATE sync_state SET cursor = 0, has_cursor = 0, last_mutation_id = 0,
                   mutation_base = COALESCE(
                       (SELECT MIN(mutation_id) - 1 FROM outbox),
                       (SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),
                   last_pull_at = NULL, last_push_at = NULL WHERE singleton = 1"""
        )


class RejectedRepository:
    """Mutations the server refused for good; kept for staff, never resent."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add(self, entries: Iterable[tuple[OutboxEntry, str]], at: datetime) -> None:
        self._conn.executemany(
            """INSERT OR REPLACE INTO rejected_mutations
                   (mutation_id, name, args_json, device_time, hlc, reason, rejected_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    e.mutation_id,
                    e.name,
                    json.dumps(e.args, separators=(",", ":"), sort_keys=True),
                    ts(e.device_time),
                    e.hlc,
                    reason,
                    ts(at),
                )
                for e, reason in entries
            ],
        )

    def count(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM rejected_mutations").fetchone()[0])

    def latest(self, limit: int = 20) -> list[RejectedMutation]:
        rows = self._conn.execute(
            "SELECT * FROM rejected_mutations ORDER BY mutation_id DESC LIMIT ?", (limit,)
        )
        return [
            RejectedMutation(
                mutation_id=int(r["mutation_id"]),
                name=r["name"],
                args=json.loads(r["args_json"]),
                device_time=ensure_utc(datetime.fromisoformat(r["device_time"])),
                reason=r["reason"],
                rejected_at=ensure_utc(datetime.fromisoformat(r["rejected_at"])),
            )
            for r in rows
        ]
