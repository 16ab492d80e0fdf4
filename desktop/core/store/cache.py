"""Pulled server state: plans, members, memberships, pass keys, revocations.

Replaced wholesale from a snapshot inside the caller's transaction. Local tables are never
written here; the credit counters are recomputed from the new snapshot and the local
admissions the server has not counted yet.
"""

from __future__ import annotations

import base64
import sqlite3
import uuid

from desktop.core.store.codec import encode_time
from desktop.core.store.member_card import INSERT_DETAIL, detail_rows
from desktop.core.store.records import CachedPlan
from desktop.core.store.rows import (
    INSERT_MEMBER,
    INSERT_MEMBERSHIP,
    member_row,
    membership_row,
    token_rows,
)
from shared.sync.snapshot import KioskSnapshot

#: SQL condition: a local check-in ``c`` the server had not counted at the snapshot's time
#: (still waiting in the outbox, or made after the snapshot was taken).
UNCOUNTED = "(c.occurred_at >= :server_time OR c.mutation_id IN (SELECT mutation_id FROM outbox))"


class CacheRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def clear(self) -> None:
        for table in (
            "cached_plan",
            "cached_member",
            "cached_member_token",
            "cached_membership",
            "cached_pass_key",
            "cached_revoked_pass",
            "credit_counter",
            "cached_session_type",
            "cached_class_session",
            "cached_booking",
            "cached_member_detail",
        ):
            self._conn.execute(f"DELETE FROM {table}")

    def replace(self, snapshot: KioskSnapshot) -> None:
        """Replace every pulled table with ``snapshot``'s rows (caller holds the transaction)."""
        self.clear()
        conn = self._conn
        conn.executemany(
            "INSERT INTO cached_plan (id, kind, name, active, data_json) VALUES (?, ?, ?, ?, ?)",
            [
                (str(p.id), p.kind.value, p.name, int(p.active), p.model_dump_json())
                for p in snapshot.plans
            ],
        )
        conn.executemany(f"INSERT {INSERT_MEMBER}", [member_row(m) for m in snapshot.members])
        conn.executemany(f"INSERT {INSERT_DETAIL}", detail_rows(snapshot.members))
        conn.executemany(
            "INSERT OR IGNORE INTO cached_member_token (token, member_id) VALUES (?, ?)",
            token_rows(snapshot.members),
        )
        conn.executemany(
            f"INSERT {INSERT_MEMBERSHIP}", [membership_row(ms) for ms in snapshot.memberships]
        )
        conn.executemany(
            "INSERT INTO cached_pass_key (key_id, public_key) VALUES (?, ?)",
            [(k.key_id, k.public_key) for k in snapshot.pass_keys],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO cached_revoked_pass (pass_id) VALUES (?)",
            [(str(p),) for p in snapshot.revoked_pass_ids],
        )
        conn.execute(
            f"""INSERT INTO credit_counter (membership_id, remaining)
                SELECT m.id, m.credits_remaining - (
                    SELECT COUNT(*) FROM local_checkin c
                    WHERE c.membership_id = m.id AND c.admitted = 1 AND {UNCOUNTED})
                FROM cached_membership m WHERE m.credits_remaining IS NOT NULL""",
            {"server_time": encode_time(snapshot.server_time)},
        )

    # -- reads --------------------------------------------------------------------------------

    def plans(self) -> list[CachedPlan]:
        rows = self._conn.execute("SELECT data_json FROM cached_plan ORDER BY name")
        return [CachedPlan.from_json(r["data_json"]) for r in rows]

    def plan(self, plan_id: uuid.UUID) -> CachedPlan | None:
        row = self._conn.execute(
            "SELECT data_json FROM cached_plan WHERE id = ?", (str(plan_id),)
        ).fetchone()
        return None if row is None else CachedPlan.from_json(row["data_json"])

    def public_keys(self) -> dict[int, bytes]:
        rows = self._conn.execute("SELECT key_id, public_key FROM cached_pass_key")
        return {int(r["key_id"]): base64.b64decode(r["public_key"]) for r in rows}

    def is_revoked(self, pass_id: uuid.UUID) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM cached_revoked_pass WHERE pass_id = ?", (str(pass_id),)
        ).fetchone()
        return row is not None
