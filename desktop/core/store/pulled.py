"""Row-by-row writes to the pulled tables, for incremental pulls.

The snapshot replaces these tables wholesale (:mod:`desktop.core.store.cache`); a pull
upserts or deletes one row at a time. Every write is idempotent: applying a change twice
leaves the same row. Local (``local_*``) tables are never written here, except to retire a
local row once the server acknowledged it and its own version has arrived.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from desktop.core.store.closures import ClosureRows
from desktop.core.store.codec import opt_str
from desktop.core.store.member_card import MemberCardRows
from desktop.core.store.rows import (
    INSERT_MEMBER,
    INSERT_MEMBERSHIP,
    member_row,
    membership_row,
    token_rows,
)
from desktop.core.store.sessions import SessionRows
from shared.sync.snapshot import (
    SnapshotLocation,
    SnapshotMember,
    SnapshotMembership,
    SnapshotPassKey,
    SnapshotPlan,
    SnapshotStaff,
)

#: Admissions on a membership the server has not seen: still waiting in the outbox.
_PENDING_ADMISSIONS = """(SELECT COUNT(*) FROM local_checkin c
    WHERE c.membership_id = :id AND c.admitted = 1
      AND c.mutation_id IN (SELECT mutation_id FROM outbox))"""


class PulledRows:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @property
    def connection(self) -> sqlite3.Connection:
        """For the tables other modules write (e.g. the door policy)."""
        return self._conn

    @property
    def card(self) -> MemberCardRows:
        """Member details, alerts and places (the admission card's pulled state)."""
        return MemberCardRows(self._conn)

    @property
    def closures(self) -> ClosureRows:
        """The location's closures and special hours (their own module)."""
        return ClosureRows(self._conn)

    @property
    def sessions(self) -> SessionRows:
        """Pulled sessions and bookings (their own module)."""
        return SessionRows(self._conn)

    # -- members and memberships ------------------------------------------------------------

    def upsert_member(self, member: SnapshotMember) -> None:
        self._conn.execute("DELETE FROM cached_member_token WHERE member_id = ?", (str(member.id),))
        self._conn.execute(f"INSERT OR REPLACE {INSERT_MEMBER}", member_row(member))
        MemberCardRows(self._conn).upsert_details([member])
        self._conn.executemany(
            "INSERT OR IGNORE INTO cached_member_token (token, member_id) VALUES (?, ?)",
            token_rows([member]),
        )

    def delete_member(self, member_id: uuid.UUID) -> None:
        self._conn.execute("DELETE FROM cached_member WHERE id = ?", (str(member_id),))
        MemberCardRows(self._conn).delete_details(member_id)
        self._conn.execute("DELETE FROM cached_member_token WHERE member_id = ?", (str(member_id),))

    def upsert_membership(self, ms: SnapshotMembership) -> None:
        self._conn.execute(f"INSERT OR REPLACE {INSERT_MEMBERSHIP}", membership_row(ms))
        self._conn.execute("DELETE FROM credit_counter WHERE membership_id = ?", (str(ms.id),))
        if ms.credits_remaining is not None:
            # The server's count, less this kiosk's admissions it has not received yet.
            self._conn.execute(
                f"""INSERT INTO credit_counter (membership_id, remaining)
                    VALUES (:id, :credits - {_PENDING_ADMISSIONS})""",
                {"id": str(ms.id), "credits": ms.credits_remaining},
            )

    def delete_membership(self, membership_id: uuid.UUID) -> None:
        for table, column in (("cached_membership", "id"), ("credit_counter", "membership_id")):
            self._conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (str(membership_id),))

    # -- plans, passes, scope ---------------------------------------------------------------

    def upsert_plan(self, plan: SnapshotPlan) -> None:
        self._conn.execute(
            """INSERT OR REPLACE INTO cached_plan (id, kind, name, active, data_json)
               VALUES (?, ?, ?, ?, ?)""",
            (str(plan.id), plan.kind.value, plan.name, int(plan.active), plan.model_dump_json()),
        )

    def delete_plan(self, plan_id: uuid.UUID) -> None:
        self._conn.execute("DELETE FROM cached_plan WHERE id = ?", (str(plan_id),))

    def upsert_pass_key(self, row_id: uuid.UUID, key: SnapshotPassKey) -> None:
        self._conn.execute("DELETE FROM cached_pass_key WHERE row_id = ?", (str(row_id),))
        self._conn.execute(
            """INSERT OR REPLACE INTO cached_pass_key (key_id, public_key, row_id)
               VALUES (?, ?, ?)""",
            (key.key_id, key.public_key, str(row_id)),
        )

    def delete_pass_key(self, row_id: uuid.UUID, key_id: int | None) -> None:
        self._conn.execute(
            "DELETE FROM cached_pass_key WHERE row_id = ? OR key_id = ?", (str(row_id), key_id)
        )

    def set_pass_revoked(self, pass_id: uuid.UUID, revoked: bool) -> None:
        if revoked:
            sql = "INSERT OR IGNORE INTO cached_revoked_pass (pass_id) VALUES (?)"
        else:
            sql = "DELETE FROM cached_revoked_pass WHERE pass_id = ?"
        self._conn.execute(sql, (str(pass_id),))

    def upsert_staff(self, staff: SnapshotStaff) -> None:
        self._conn.execute(
            """INSERT OR REPLACE INTO staff (id, tenant_id, name, role, pin_verifier, pin_lookup)
               SELECT ?, id, ?, ?, ?, ? FROM tenant LIMIT 1""",
            (str(staff.id), staff.name, staff.role.value, staff.pin_verifier, staff.pin_lookup),
        )

    def delete_staff(self, staff_id: uuid.UUID) -> None:
        self._conn.execute("DELETE FROM staff WHERE id = ?", (str(staff_id),))

    def update_location(self, loc: SnapshotLocation) -> None:
        """The kiosk's own location changed (a kiosk never holds another one)."""
        self._conn.execute(
            """UPDATE location SET name = ?, timezone = ?, capacity = ?, address = ?,
                   contact_email = ?, contact_phone = ?, opening_hours_json = ? WHERE id = ?""",
            (
                loc.name,
                loc.timezone,
                loc.capacity,
                loc.address,
                loc.contact_email,
                loc.contact_phone,
                loc.opening_hours.model_dump_json(),
                str(loc.id),
            ),
        )

    # -- check-ins and review items ---------------------------------------------------------

    def upsert_checkin(self, row_id: uuid.UUID, data: dict[str, Any]) -> None:
        self._conn.execute(
            """INSERT OR REPLACE INTO cached_checkin
                   (id, member_id, membership_id, admitted, occurred_at, data_json)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (
                str(row_id),
                opt_str(data.get("member_id")),
                opt_str(data.get("membership_id")),
                None if data.get("admitted") is None else int(bool(data["admitted"])),
                opt_str(data.get("occurred_at")),
                json.dumps(data, separators=(",", ":"), sort_keys=True, default=str),
            ),
        )

    def upsert_review_item(self, row_id: uuid.UUID, data: dict[str, Any]) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO cached_review_item (id, status, data_json) VALUES (?, ?, ?)",
            (
                str(row_id),
                str(data.get("status") or "open"),
                json.dumps(data, separators=(",", ":"), sort_keys=True, default=str),
            ),
        )

    def admissions(self, membership_id: uuid.UUID) -> dict[str, str]:
        """Admitted check-ins on a membership the server has told us of: id → occurred_at."""
        rows = self._conn.execute(
            """SELECT id, occurred_at FROM cached_checkin
               WHERE membership_id = ? AND admitted = 1 AND occurred_at IS NOT NULL""",
            (str(membership_id),),
        )
        return {r[0]: r[1] for r in rows}

    def delete_row(self, table: str, row_id: uuid.UUID) -> None:
        if table not in ("cached_checkin", "cached_review_item"):
            raise ValueError(table)
        self._conn.execute(f"DELETE FROM {table} WHERE id = ?", (str(row_id),))

    def clear(self, table: str) -> None:
        if table not in ("cached_checkin", "cached_review_item"):
            raise ValueError(table)
        self._conn.execute(f"DELETE FROM {table}")

    def open_review_items(self) -> int:
        row = self._conn.execute(
            "SELECT COUNT(*) FROM cached_review_item WHERE status = 'open'"
        ).fetchone()
        return int(row[0])

    # -- local rows the server now holds ----------------------------------------------------

    def retire_acknowledged(self) -> int:
        """Drop local members and memberships whose mutation the server acknowledged and
        whose server version has been pulled: from now on the server's row is the truth
        (it may have been corrected or merged there). Local check-ins stay: they count this
        kiosk's admissions for visit limits."""
        retired = 0
        for local, cached in (
            ("local_member", "cached_member"),
            ("local_membership", "cached_membership"),
        ):
            retired += self._conn.execute(
                f"""DELETE FROM {local}
                    WHERE mutation_id NOT IN (SELECT mutation_id FROM outbox)
                      AND id IN (SELECT id FROM {cached})"""
            ).rowcount
        if retired:
            self._conn.execute(
                """DELETE FROM local_member_token
                   WHERE member_id NOT IN (SELECT id FROM local_member)"""
            )
        return retired + self.sessions.retire_decided()
