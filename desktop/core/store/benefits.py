"""Members' payer benefits as the server sent them (``benefit_snapshots``): pulled state only,
replaced by each row the server sends."""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

from desktop.core.store.codec import decode_time
from shared.benefits import KnownBenefit
from shared.sync.snapshot import SnapshotBenefit


class BenefitRows:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def upsert(self, data: dict[str, Any]) -> None:
        row = SnapshotBenefit.model_validate(data)
        self._conn.execute(
            """INSERT OR REPLACE INTO cached_benefit
                   (member_id, eligible, reason, benefit_id, valid_until, checked_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (
                str(row.member_id),
                int(row.eligible),
                row.reason,
                row.benefit_id,
                row.valid_until.isoformat(),
                row.checked_at.isoformat(),
            ),
        )

    def delete(self, member_id: uuid.UUID) -> None:
        self._conn.execute("DELETE FROM cached_benefit WHERE member_id = ?", (str(member_id),))

    def clear(self) -> None:
        self._conn.execute("DELETE FROM cached_benefit")

    def get(self, member_id: uuid.UUID) -> KnownBenefit | None:
        row = self._conn.execute(
            """SELECT eligible, reason, benefit_id, valid_until, checked_at
               FROM cached_benefit WHERE member_id = ?""",
            (str(member_id),),
        ).fetchone()
        if row is None:
            return None
        return KnownBenefit(
            eligible=bool(row[0]),
            reason=row[1],
            benefit_id=row[2],
            valid_until=decode_time(row[3]),
            checked_at=decode_time(row[4]),
        )
