"""Benefit snapshots and utilisation reports of one tenant. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.benefits.models import BenefitSnapshot, BenefitUtilisation
from server.members.models import Member
from server.ports.benefits import BenefitAnswer
from server.sync.changes import record_values


class KioskBenefit:
    """The synced table's key: rows are sent with :func:`record_values` (the table is keyed
    by member, and kiosks get only what the door needs)."""


def kiosk_row(row: BenefitSnapshot) -> dict[str, object]:
    member = str(row.member_id)
    return {
        "id": member,
        "member_id": member,
        "eligible": row.eligible,
        "reason": row.reason,
        "benefit_id": row.benefit_id,
        "valid_until": row.valid_until.isoformat(),
        "checked_at": row.checked_at.isoformat(),
    }


class BenefitRepository:
    def __init__(self, db: Session, tenant_id: uuid.UUID) -> None:
        self.db = db
        self.tenant_id = tenant_id
        # Rows added through this repository and not flushed yet (sessions do not autoflush).
        self._added: dict[uuid.UUID, BenefitSnapshot] = {}
        self._reported: set[tuple[uuid.UUID, uuid.UUID, datetime]] = set()

    def party_ids(self, member_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The members' ZHEP parties (members without one are left out)."""
        found: dict[uuid.UUID, str] = {}
        for start in range(0, len(member_ids), 1000):
            rows = self.db.execute(
                select(Member.id, Member.party_id).where(
                    Member.tenant_id == self.tenant_id,
                    Member.id.in_(member_ids[start : start + 1000]),
                    Member.party_id.is_not(None),
                )
            )
            found.update({row.id: row.party_id for row in rows})
        return found

    def snapshot(self, member_id: uuid.UUID) -> BenefitSnapshot | None:
        return self.db.get(BenefitSnapshot, (self.tenant_id, member_id))

    def remember(self, member_id: uuid.UUID, answer: BenefitAnswer) -> BenefitSnapshot:
        """Keep the service's answer as the member's last-known benefit, and send it to the
        tenant's kiosks."""
        row = self._added.get(member_id) or self.snapshot(member_id)
        if row is None:
            row = BenefitSnapshot(tenant_id=self.tenant_id, member_id=member_id)
            self.db.add(row)
            self._added[member_id] = row
        row.party_id = answer.party_id
        row.eligible = answer.eligible
        row.reason = answer.reason[:300]
        row.benefit_id = answer.benefit_id
        row.wallet_balance = answer.wallet_balance
        row.currency = answer.currency
        row.visits_left = answer.visits_left
        row.valid_until = answer.valid_until
        row.checked_at = answer.checked_at
        record_values(
            self.db,
            KioskBenefit,
            {"tenant_id": self.tenant_id, "id": member_id, "data": kiosk_row(row)},
        )
        return row

    def stale_members(
        self, older_than: datetime, limit: int
    ) -> list[tuple[uuid.UUID, str, uuid.UUID | None]]:
        """Members with a party whose snapshot is missing or checked before ``older_than``."""
        rows = self.db.execute(
            select(Member.id, Member.party_id, Member.home_location_id)
            .outerjoin(
                BenefitSnapshot,
                (BenefitSnapshot.tenant_id == Member.tenant_id)
                & (BenefitSnapshot.member_id == Member.id),
            )
            .where(
                Member.tenant_id == self.tenant_id,
                Member.party_id.is_not(None),
                (BenefitSnapshot.checked_at.is_(None)) | (BenefitSnapshot.checked_at < older_than),
            )
            .order_by(Member.id)
            .limit(limit)
        )
        return [(row.id, row.party_id, row.home_location_id) for row in rows]

    def unexpired(self, now: datetime) -> list[BenefitSnapshot]:
        return list(
            self.db.execute(
                select(BenefitSnapshot)
                .where(BenefitSnapshot.tenant_id == self.tenant_id)
                .where(BenefitSnapshot.valid_until > now)
                .order_by(BenefitSnapshot.member_id)
            ).scalars()
        )

    # -- utilisation reports -----------------------------------------------------------------

    def add_report(self, report: BenefitUtilisation) -> None:
        """Once per admission: the same member, location and time decided again in one
        transaction (a credit race, a batch) adds nothing."""
        key = (report.member_id, report.location_id, report.occurred_at)
        if key in self._reported:
            return
        self._reported.add(key)
        known = self.db.execute(
            select(BenefitUtilisation.id).where(
                BenefitUtilisation.tenant_id == self.tenant_id,
                BenefitUtilisation.member_id == report.member_id,
                BenefitUtilisation.location_id == report.location_id,
                BenefitUtilisation.occurred_at == report.occurred_at,
            )
        ).first()
        if known is None:
            report.tenant_id = self.tenant_id
            self.db.add(report)

    def due(self, now: datetime, limit: int) -> list[BenefitUtilisation]:
        return list(
            self.db.execute(
                select(BenefitUtilisation)
                .where(
                    BenefitUtilisation.tenant_id == self.tenant_id,
                    BenefitUtilisation.state == "pending",
                    BenefitUtilisation.next_attempt_at <= now,
                )
                .order_by(BenefitUtilisation.next_attempt_at, BenefitUtilisation.id)
                .limit(limit)
            ).scalars()
        )

    def retry_later(self, report_id: uuid.UUID, error: str, at: datetime) -> None:
        self.db.execute(
            update(BenefitUtilisation)
            .where(BenefitUtilisation.tenant_id == self.tenant_id)
            .where(BenefitUtilisation.id == report_id)
            .values(
                attempts=BenefitUtilisation.attempts + 1,
                last_error=error[:300],
                next_attempt_at=at,
            )
        )


def backoff(attempts: int) -> timedelta:
    """After ``attempts`` failures: 30 s doubling, at most an hour."""
    return timedelta(seconds=min(30 * 2 ** min(attempts, 10), 3600))
