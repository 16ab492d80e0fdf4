"""Sync bookkeeping: the pull cursor, acknowledged and refused mutations, and the status of
the last attempts that staff see.

The cursor and the last acknowledged mutation id only move forward (``MAX``), whatever order
answers arrive in. Callers own the transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime

from desktop.core.store.codec import decode_opt_time, decode_time, encode_opt_time, encode_time
from desktop.core.store.records import OutboxEntry, RejectedMutation, SyncRecord, SyncState


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
            last_pull_at=decode_opt_time(row["last_pull_at"]),
            last_push_at=decode_opt_time(row["last_push_at"]),
        )

    def advance_cursor(self, cursor: int, at: datetime) -> None:
        self._conn.execute(
            """UPDATE sync_state SET cursor = MAX(cursor, ?), has_cursor = 1, last_pull_at = ?
               WHERE singleton = 1""",
            (cursor, encode_time(at)),
        )

    def acknowledge(self, last_mutation_id: int, at: datetime) -> None:
        self._conn.execute(
            """UPDATE sync_state SET last_mutation_id = MAX(last_mutation_id, ?), last_push_at = ?
               WHERE singleton = 1""",
            (last_mutation_id, encode_time(at)),
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
                    encode_time(e.device_time),
                    e.hlc,
                    reason,
                    encode_time(at),
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
                device_time=decode_time(r["device_time"]),
                reason=r["reason"],
                rejected_at=decode_time(r["rejected_at"]),
            )
            for r in rows
        ]


class SyncStatusRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self) -> SyncRecord:
        row = self._conn.execute("SELECT * FROM sync_status WHERE singleton = 1").fetchone()
        return SyncRecord(
            last_success_at=decode_opt_time(row["last_success_at"]),
            last_attempt_at=decode_opt_time(row["last_attempt_at"]),
            last_error=row["last_error"],
            server_time=decode_opt_time(row["server_time"]),
        )

    def record_success(self, at: datetime, server_time: datetime | None) -> None:
        self._conn.execute(
            """UPDATE sync_status SET last_success_at = ?, last_attempt_at = ?,
                   last_error = NULL, server_time = ? WHERE singleton = 1""",
            (encode_time(at), encode_time(at), encode_opt_time(server_time)),
        )

    def record_contact(self, at: datetime) -> None:
        """A push or pull went through (the snapshot's ``server_time`` stays)."""
        self._conn.execute(
            """UPDATE sync_status SET last_success_at = ?, last_attempt_at = ?,
                   last_error = NULL WHERE singleton = 1""",
            (encode_time(at), encode_time(at)),
        )

    def record_failure(self, at: datetime, error: str) -> None:
        self._conn.execute(
            "UPDATE sync_status SET last_attempt_at = ?, last_error = ? WHERE singleton = 1",
            (encode_time(at), error),
        )

    def reset(self) -> None:
        self._conn.execute(
            """UPDATE sync_status SET last_success_at = NULL, last_attempt_at = NULL,
                   last_error = NULL, server_time = NULL WHERE singleton = 1"""
        )
