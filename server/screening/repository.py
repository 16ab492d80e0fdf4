"""Data access of screening: rows in and out, sealed values opened by the caller."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import NotFound
from server.screening.models import RiskFlagRecord, Screening, ScreeningClearance
from server.tenants.repository import tenant_zone


class ScreeningRepository:
    def __init__(self, db: Session, tenant_id: uuid.UUID) -> None:
        self.db = db
        self.tenant_id = tenant_id

    def latest(self, member_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Screening]:
        """Each member's latest screening, in one query (members have a handful each)."""
        if not member_ids:
            return {}
        rows = self.db.scalars(
            select(Screening)
            .where(Screening.tenant_id == self.tenant_id, Screening.member_id.in_(member_ids))
            .order_by(Screening.member_id, Screening.completed_at, Screening.id)
        ).all()
        return {row.member_id: row for row in rows}

    def clearances(
        self, member_ids: Sequence[uuid.UUID], *, live_on: date | None = None
    ) -> list[ScreeningClearance]:
        """The members' clearances, newest first; with ``live_on``, only those unrevoked and
        unexpired that day."""
        if not member_ids:
            return []
        query = select(ScreeningClearance).where(
            ScreeningClearance.tenant_id == self.tenant_id,
            ScreeningClearance.member_id.in_(member_ids),
        )
        if live_on is not None:
            query = query.where(
                ScreeningClearance.revoked_at.is_(None),
                ScreeningClearance.cleared_on <= live_on,
                ScreeningClearance.expires_on >= live_on,
            )
        order = (ScreeningClearance.cleared_on.desc(), ScreeningClearance.created_at.desc())
        return list(self.db.scalars(query.order_by(*order)).all())

    def flags(
        self, member_ids: Sequence[uuid.UUID], *, active_on: date | None = None
    ) -> list[RiskFlagRecord]:
        if not member_ids:
            return []
        query = select(RiskFlagRecord).where(
            RiskFlagRecord.tenant_id == self.tenant_id,
            RiskFlagRecord.member_id.in_(member_ids),
        )
        if active_on is not None:
            query = query.where(
                (RiskFlagRecord.ended_on.is_(None)) | (RiskFlagRecord.ended_on > active_on)
            )
        order = (RiskFlagRecord.noted_on.desc(), RiskFlagRecord.created_at.desc())
        return list(self.db.scalars(query.order_by(*order)).all())

    def clearance_or_404(self, member_id: uuid.UUID, clearance_id: uuid.UUID) -> ScreeningClearance:
        row = self.db.get(ScreeningClearance, (self.tenant_id, clearance_id))
        if row is None or row.member_id != member_id:
            raise NotFound(f"clearance {clearance_id} was not found")
        return row

    def flag_or_404(self, member_id: uuid.UUID, flag_id: uuid.UUID) -> RiskFlagRecord:
        row = self.db.get(RiskFlagRecord, (self.tenant_id, flag_id))
        if row is None or row.member_id != member_id:
            raise NotFound(f"risk flag {flag_id} was not found")
        return row

    def zone(self) -> str:
        """The zone of the tenant's first location (UTC without one): where "today" is for a
        clearance's dates."""
        return tenant_zone(self.db, self.tenant_id)
