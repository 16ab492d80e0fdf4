"""The location's pulled closures and special hours. Callers own the transaction."""

from __future__ import annotations

import sqlite3
import uuid

from shared.closures import ClosureDays


class ClosureRows:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def upsert(self, closure: ClosureDays) -> None:
        self._conn.execute(
            """INSERT OR REPLACE INTO cached_closure (id, starts_on, ends_on, data_json)
               VALUES (?, ?, ?, ?)""",
            (
                str(closure.id),
                closure.starts_on.isoformat(),
                closure.ends_on.isoformat(),
                closure.model_dump_json(),
            ),
        )

    def delete(self, closure_id: uuid.UUID) -> None:
        self._conn.execute("DELETE FROM cached_closure WHERE id = ?", (str(closure_id),))

    def clear(self) -> None:
        self._conn.execute("DELETE FROM cached_closure")

    def all(self) -> tuple[ClosureDays, ...]:
        """Every cached closure in date order (a handful: the pull keeps them current)."""
        rows = self._conn.execute(
            "SELECT data_json FROM cached_closure ORDER BY starts_on, id"
        ).fetchall()
        return tuple(ClosureDays.model_validate_json(r[0]) for r in rows)
