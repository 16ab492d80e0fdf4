"""Pulled server state: plans, members, memberships, pass keys, revocations (DESIGN.md §5.4).

Replaced wholesale from a snapshot inside the caller's transaction. Local tables are never
written here; the credit counters are recomputed from the new snapshot and the local
admissions the server has not counted yet.
"""

from __future__ import annotations

import base64
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime

from desktop.core.store.normalise import (
    code_norm,
    email_norm,
    name_tokens,
    phone_digits,
    sort_name,
)
from desktop.core.store.records import CachedPlan, opt_str, ts
from shared.sync.snapshot import KioskSnapshot, SnapshotMember

#: SQL condition: a local check-in ``c`` the server had not counted at the snapshot's time
#: (still waiting in the outbox, or made after the snapshot was taken).
UNCOUNTED = "(c.occurred_at >= :server_time OR c.mutation_id IN (SELECT mutation_id FROM outbox))"

MEMBER_COLUMNS = (
    "id, first_name, last_name, email, phone, barcode, card_number, home_location_id, "
    "guest_of_id, sort_name, email_norm, phone_digits, barcode_norm, card_norm"
)


def member_row(m: SnapshotMember) -> tuple[object, ...]:
    return (
        str(m.id),
        m.first_name,
        m.last_name,
        m.email,
        m.phone,
        m.barcode,
        m.card_number,
        opt_str(m.home_location_id),
        opt_str(m.guest_of_id),
        sort_name(m.first_name, m.last_name),
        email_norm(m.email),
        phone_digits(m.phone),
        code_norm(m.barcode),
        code_norm(m.card_number),
    )


def token_rows(members: Iterable[SnapshotMember]) -> Iterator[tuple[str, str]]:
    for m in members:
        for token in name_tokens(m.first_name, m.last_name):
            yield token, str(m.id)


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
        conn.executemany(
            f"INSERT INTO cached_member ({MEMBER_COLUMNS}) VALUES ({', '.join('?' * 14)})",
            [member_row(m) for m in snapshot.members],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO cached_member_token (token, member_id) VALUES (?, ?)",
            token_rows(snapshot.members),
        )
        conn.executemany(
            """INSERT INTO cached_membership (id, member_id, plan_id, status, starts_on, ends_on,
                   frozen_until, credits_remaining, home_location_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    str(ms.id),
                    str(ms.member_id),
                    str(ms.plan_id),
                    ms.status.value,
                    ms.starts_on.isoformat(),
                    opt_str(ms.ends_on),
                    opt_str(ms.frozen_until),
                    ms.credits_remaining,
                    opt_str(ms.home_location_id),
                )
                for ms in snapshot.memberships
            ],
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
            {"server_time": ts(snapshot.server_time)},
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

    def member_count(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM cached_member").fetchone()[0])


def server_time_param(server_time: datetime) -> dict[str, str]:
    return {"server_time": ts(server_time)}
