"""Members and their memberships as the kiosk sees them: pulled rows plus local ones.

A local (pending) row wins over a pulled row with the same id.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from datetime import date

from desktop.core.store.codec import opt_date, opt_uuid
from desktop.core.store.records import CachedMembership, CachedPlan, MemberRecord
from desktop.core.store.rows import MEMBER_COLUMNS
from shared.enums import MembershipStatus

#: Every member, local rows first in precedence.
MEMBERS = f"""(SELECT {MEMBER_COLUMNS}, 1 AS local FROM local_member
    UNION ALL
    SELECT {MEMBER_COLUMNS}, 0 AS local FROM cached_member
    WHERE id NOT IN (SELECT id FROM local_member))"""


def _member(row: sqlite3.Row) -> MemberRecord:
    return MemberRecord(
        id=uuid.UUID(row["id"]),
        first_name=row["first_name"],
        last_name=row["last_name"],
        email=row["email"],
        phone=row["phone"],
        barcode=row["barcode"],
        card_number=row["card_number"],
        home_location_id=opt_uuid(row["home_location_id"]),
        guest_of_id=opt_uuid(row["guest_of_id"]),
        local=bool(row["local"]),
        date_of_birth=opt_date(row["date_of_birth"]),
    )


def _next_prefix(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class MemberRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, member_id: uuid.UUID) -> MemberRecord | None:
        row = self._conn.execute(
            f"SELECT * FROM {MEMBERS} WHERE id = ? ORDER BY local DESC LIMIT 1", (str(member_id),)
        ).fetchone()
        return None if row is None else _member(row)

    def screening_limit(self, member_id: uuid.UUID) -> tuple[bool, date | None]:
        """(limited to low intensity until cleared, the last day a clearance holds) as the
        server last sent them; a member registered here, or not known, is not limited."""
        row = self._conn.execute(
            "SELECT screening_limited, screening_cleared_until FROM cached_member WHERE id = ?",
            (str(member_id),),
        ).fetchone()
        if row is None:
            return False, None
        return bool(row[0]), opt_date(row[1])

    def by_code(self, column: str, value: str) -> MemberRecord | None:
        """The member whose normalised ``barcode_norm`` or ``card_norm`` is ``value``."""
        if column not in ("barcode_norm", "card_norm"):
            raise ValueError(column)
        row = self._conn.execute(
            f"""SELECT {MEMBER_COLUMNS}, 1 AS local FROM local_member WHERE {column} = :v
                UNION ALL SELECT {MEMBER_COLUMNS}, 0 AS local FROM cached_member WHERE {column} = :v
                LIMIT 1""",
            {"v": value},
        ).fetchone()
        return None if row is None else _member(row)

    def by_email(self, email: str) -> list[MemberRecord]:
        rows = self._conn.execute(f"SELECT * FROM {MEMBERS} WHERE email_norm = ?", (email,))
        return [_member(r) for r in rows]

    def by_phone(self, digits: str) -> list[MemberRecord]:
        rows = self._conn.execute(f"SELECT * FROM {MEMBERS} WHERE phone_digits = ?", (digits,))
        return [_member(r) for r in rows]

    def by_phone_ending(self, suffix: str) -> list[MemberRecord]:
        """Members whose phone's digits end with ``suffix`` ("024…" and "+233 24…" alike)."""
        rows = self._conn.execute(
            f"SELECT * FROM {MEMBERS} WHERE phone_digits LIKE '%' || ?", (suffix,)
        )
        return [_member(r) for r in rows]

    def by_name_and_birth(self, sort_key: str, born: date) -> list[MemberRecord]:
        rows = self._conn.execute(
            f"SELECT * FROM {MEMBERS} WHERE sort_name = ? AND date_of_birth = ?",
            (sort_key, born.isoformat()),
        )
        return [_member(r) for r in rows]

    # -- search ------------------------------------------------------------------------------

    def search_names(self, prefixes: Sequence[str], limit: int) -> list[MemberRecord]:
        """Members with a name token starting with every one of ``prefixes`` (distinct words),
        those matching more words exactly first, then by last and first name."""
        parts: list[str] = []
        params: dict[str, str] = {}
        for i, prefix in enumerate(prefixes):
            params |= {f"w{i}": prefix, f"h{i}": _next_prefix(prefix)}
            for table in ("cached_member_token", "local_member_token"):
                parts.append(
                    f"SELECT member_id, {i} AS w, token = :w{i} AS exact FROM {table} "
                    f"WHERE token >= :w{i} AND token < :h{i}"
                )
        sql = f"""
            WITH hits AS ({" UNION ALL ".join(parts)}),
            per_word AS (SELECT member_id, w, MAX(exact) AS exact FROM hits
                         GROUP BY member_id, w),
            matched AS (SELECT member_id, SUM(exact) AS score FROM per_word
                        GROUP BY member_id HAVING COUNT(*) = {len(prefixes)})
            SELECT m.*, matched.score FROM matched JOIN {MEMBERS} m ON m.id = matched.member_id
            ORDER BY matched.score DESC, m.sort_name, m.id LIMIT {int(limit)}"""
        return [_member(r) for r in self._conn.execute(sql, params)]

    def search_phone(self, digits: str, limit: int) -> list[MemberRecord]:
        """Phones containing ``digits``: exact first, then ending with, starting with, within."""
        sql = f"""SELECT * FROM {MEMBERS} WHERE phone_digits LIKE '%' || :d || '%'
            ORDER BY CASE WHEN phone_digits = :d THEN 0
                          WHEN phone_digits LIKE '%' || :d THEN 1
                          WHEN phone_digits LIKE :d || '%' THEN 2 ELSE 3 END,
                     sort_name LIMIT {int(limit)}"""
        return [_member(r) for r in self._conn.execute(sql, {"d": digits})]

    def search_email(self, prefix: str, limit: int) -> list[MemberRecord]:
        sql = f"""SELECT * FROM {MEMBERS} WHERE email_norm >= :p AND email_norm < :h
            ORDER BY email_norm = :p DESC, sort_name LIMIT {int(limit)}"""
        rows = self._conn.execute(sql, {"p": prefix, "h": _next_prefix(prefix)})
        return [_member(r) for r in rows]

    # -- memberships -------------------------------------------------------------------------

    def memberships(self, member_ids: Iterable[uuid.UUID]) -> list[CachedMembership]:
        """Pulled and local memberships of these members, with their plans. A pulled
        membership whose plan is not cached is left out (nothing can be decided on it)."""
        ids = [str(i) for i in member_ids]
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        pulled = self._conn.execute(
            f"""SELECT ms.*, p.data_json AS plan_json, cc.remaining AS counter, 0 AS local
                FROM cached_membership ms JOIN cached_plan p ON p.id = ms.plan_id
                LEFT JOIN credit_counter cc ON cc.membership_id = ms.id
                WHERE ms.member_id IN ({marks})
                  AND ms.id NOT IN (SELECT id FROM local_membership)""",
            ids,
        ).fetchall()
        local = self._conn.execute(
            f"""SELECT ms.*, NULL AS frozen_until, NULL AS covered_by,
                       ms.credits_remaining AS counter, 1 AS local
                FROM local_membership ms WHERE ms.member_id IN ({marks})""",
            ids,
        ).fetchall()
        plans: dict[str, CachedPlan] = {}
        result = []
        for r in [*local, *pulled]:
            plan = plans.get(r["plan_json"]) or CachedPlan.from_json(r["plan_json"])
            plans[r["plan_json"]] = plan
            result.append(
                CachedMembership(
                    id=uuid.UUID(r["id"]),
                    member_id=uuid.UUID(r["member_id"]),
                    plan=plan,
                    status=MembershipStatus(r["status"]),
                    starts_on=date.fromisoformat(r["starts_on"]),
                    ends_on=opt_date(r["ends_on"]),
                    frozen_until=opt_date(r["frozen_until"]),
                    credits_remaining=r["counter"],
                    home_location_id=opt_uuid(r["home_location_id"]),
                    local=bool(r["local"]),
                    covered_by=r["covered_by"],
                )
            )
        return result
