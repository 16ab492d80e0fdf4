"""What this kiosk created: walk-ins, sold passes and check-ins.

Never written by a pull. Each row keeps the ``mutation_id`` of the outbox row written in the
same transaction, which tells whether the server has seen it yet.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import date, datetime
from decimal import Decimal

from desktop.core.store.codec import decode_time, encode_time, opt_str, opt_uuid
from desktop.core.store.records import CachedPlan, CheckinRecord, MemberRecord
from shared.enums import CheckinMethod, MembershipStatus, PaymentMethod
from shared.normalise import (
    code_norm,
    name_tokens,
    normalise_email,
    phone_digits,
    sort_name,
)


class LocalRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add_member(self, member: MemberRecord, *, created_at: datetime, mutation_id: int) -> None:
        self._conn.execute(
            """INSERT INTO local_member (id, first_name, last_name, email, phone, barcode,
                   card_number, home_location_id, guest_of_id, sort_name, email_norm,
                   phone_digits, barcode_norm, card_norm, created_at, mutation_id,
                   date_of_birth)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                str(member.id),
                member.first_name,
                member.last_name,
                member.email,
                member.phone,
                member.barcode,
                member.card_number,
                opt_str(member.home_location_id),
                opt_str(member.guest_of_id),
                sort_name(member.first_name, member.last_name),
                normalise_email(member.email),
                phone_digits(member.phone),
                code_norm(member.barcode),
                code_norm(member.card_number),
                encode_time(created_at),
                mutation_id,
                opt_str(member.date_of_birth),
            ),
        )
        self._conn.executemany(
            "INSERT OR IGNORE INTO local_member_token (token, member_id) VALUES (?, ?)",
            [(t, str(member.id)) for t in name_tokens(member.first_name, member.last_name)],
        )

    def add_membership(
        self,
        *,
        membership_id: uuid.UUID,
        member_id: uuid.UUID,
        plan: CachedPlan,
        starts_on: date,
        ends_on: date | None,
        home_location_id: uuid.UUID | None,
        sale_id: uuid.UUID,
        amount: Decimal,
        payment_method: PaymentMethod,
        guest_of_id: uuid.UUID | None,
        created_at: datetime,
        mutation_id: int,
    ) -> None:
        self._conn.execute(
            """INSERT INTO local_membership (id, member_id, plan_id, plan_json, status,
                   starts_on, ends_on, credits_remaining, home_location_id, sale_id, amount,
                   currency, payment_method, guest_of_id, created_at, mutation_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                str(membership_id),
                str(member_id),
                str(plan.id),
                plan.to_json(),
                MembershipStatus.ACTIVE.value,
                starts_on.isoformat(),
                opt_str(ends_on),
                plan.credits,
                opt_str(home_location_id),
                str(sale_id),
                str(amount),
                plan.currency,
                payment_method.value,
                opt_str(guest_of_id),
                encode_time(created_at),
                mutation_id,
            ),
        )

    def add_checkin(self, c: CheckinRecord) -> None:
        self._conn.execute(
            """INSERT INTO local_checkin (id, member_id, membership_id, pass_id, method,
                   admitted, reason, warning, override_staff_id, override_reason,
                   occurred_at, mutation_id, repeat_of)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                str(c.id),
                str(c.member_id),
                opt_str(c.membership_id),
                opt_str(c.pass_id),
                c.method.value,
                int(c.admitted),
                c.reason,
                c.warning,
                opt_str(c.override_staff_id),
                c.override_reason,
                encode_time(c.occurred_at),
                c.mutation_id,
                opt_str(c.repeat_of),
            ),
        )

    def use_credit(self, membership_id: uuid.UUID, *, local: bool) -> None:
        """One class-pack credit spent by an admission (no-op for plans without credits)."""
        if local:
            sql = """UPDATE local_membership SET credits_remaining = credits_remaining - 1
                     WHERE id = ? AND credits_remaining IS NOT NULL"""
        else:
            sql = "UPDATE credit_counter SET remaining = remaining - 1 WHERE membership_id = ?"
        self._conn.execute(sql, (str(membership_id),))

    def admissions(self, membership_id: uuid.UUID) -> dict[str, str]:
        """Admissions on a membership made at this kiosk: id → occurred_at."""
        rows = self._conn.execute(
            "SELECT id, occurred_at FROM local_checkin WHERE membership_id = ? AND admitted = 1",
            (str(membership_id),),
        )
        return {r[0]: r[1] for r in rows}

    def checkins(self, member_id: uuid.UUID | None = None) -> list[CheckinRecord]:
        where, params = ("WHERE member_id = ?", (str(member_id),)) if member_id else ("", ())
        rows = self._conn.execute(
            f"SELECT * FROM local_checkin {where} ORDER BY occurred_at, id", params
        )
        return [
            CheckinRecord(
                id=uuid.UUID(r["id"]),
                member_id=uuid.UUID(r["member_id"]),
                membership_id=opt_uuid(r["membership_id"]),
                pass_id=opt_uuid(r["pass_id"]),
                method=CheckinMethod(r["method"]),
                admitted=bool(r["admitted"]),
                reason=r["reason"],
                warning=r["warning"],
                override_staff_id=opt_uuid(r["override_staff_id"]),
                override_reason=r["override_reason"],
                occurred_at=decode_time(r["occurred_at"]),
                mutation_id=int(r["mutation_id"]),
                repeat_of=opt_uuid(r["repeat_of"]),
            )
            for r in rows
        ]

    def sale_ids(self) -> list[uuid.UUID]:
        rows = self._conn.execute("SELECT sale_id FROM local_membership ORDER BY created_at")
        return [uuid.UUID(r["sale_id"]) for r in rows]
