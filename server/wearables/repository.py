"""Data access for activity imports, and what of the ledger an import is compared with."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Select, select

from server.db.repository import TenantRepository
from server.engagement.models import MovementEvent
from server.members.models import Member
from server.wearables.models import ActivityImport
from shared.enums import MovementKind
from shared.movement import Provenance

#: Ledger events that are a visit to the gym: an imported workout inside one counts once.
_VISITS = (MovementKind.ATTENDANCE.value, MovementKind.FLOOR_CHECKIN.value)


class ActivityImportRepository(TenantRepository[ActivityImport]):
    model = ActivityImport
    noun = "activity import"

    def by_file(self, member_id: uuid.UUID, sha256: str) -> ActivityImport | None:
        found: ActivityImport | None = self.db.execute(
            self._select().where(
                ActivityImport.member_id == member_id, ActivityImport.sha256 == sha256
            )
        ).scalar_one_or_none()
        return found

    def of_member(
        self, member_id: uuid.UUID, *, limit: int, offset: int
    ) -> Sequence[ActivityImport]:
        """Newest first."""
        query = (
            self._select()
            .where(ActivityImport.member_id == member_id)
            .order_by(ActivityImport.uploaded_at.desc(), ActivityImport.id)
            .limit(limit)
            .offset(offset)
        )
        rows: Sequence[ActivityImport] = self.db.execute(query).scalars().all()
        return rows

    def birth_date(self, member_id: uuid.UUID) -> date | None:
        found: date | None = self.db.execute(
            select(Member.date_of_birth).where(
                Member.tenant_id == self.tenant_id, Member.id == member_id
            )
        ).scalar_one_or_none()
        return found

    def _ledger(
        self, member_id: uuid.UUID, since: datetime, until: datetime
    ) -> Select[MovementEvent]:
        return select(MovementEvent).where(
            MovementEvent.tenant_id == self.tenant_id,
            MovementEvent.member_id == member_id,
            MovementEvent.occurred_at >= since,
            MovementEvent.occurred_at < until,
            MovementEvent.is_void.is_(False),
        )

    def visits(
        self, member_id: uuid.UUID, since: datetime, until: datetime
    ) -> Sequence[MovementEvent]:
        """The member's standing check-ins and class attendance starting in the window."""
        query = self._ledger(member_id, since, until).where(
            MovementEvent.kind.in_(_VISITS), MovementEvent.voided_by.is_(None)
        )
        rows: Sequence[MovementEvent] = self.db.execute(query).scalars().all()
        return rows

    def imported(
        self, member_id: uuid.UUID, since: datetime, until: datetime
    ) -> Sequence[MovementEvent]:
        """The member's device-imported events starting in the window, voided ones too."""
        query = self._ledger(member_id, since, until).where(
            MovementEvent.provenance == Provenance.DEVICE_IMPORTED.value
        )
        rows: Sequence[MovementEvent] = self.db.execute(query).scalars().all()
        return rows
