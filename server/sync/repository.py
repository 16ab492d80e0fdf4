"""Reads of what a kiosk caches, across domains, always scoped by tenant."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.checkin.models import Checkin
from server.members.models import Member
from server.plans.models import AccessPlan, Membership
from shared.enums import MembershipStatus


class KioskScope:
    def __init__(self, session: Session, tenant_id: uuid.UUID) -> None:
        self.session, self.tenant_id = session, tenant_id

    def plans(self) -> Sequence[AccessPlan]:
        query = select(AccessPlan).where(AccessPlan.tenant_id == self.tenant_id)
        return self.session.execute(query.order_by(AccessPlan.id)).scalars().all()

    def members(self) -> Sequence[Member]:
        query = select(Member).where(
            Member.tenant_id == self.tenant_id, Member.archived_at.is_(None)
        )
        return self.session.execute(query.order_by(Member.id)).scalars().all()

    def memberships(self, ended_after: date) -> Sequence[Membership]:
        """Memberships a door decision may meet: not cancelled, not long over."""
        query = select(Membership).where(
            Membership.tenant_id == self.tenant_id,
            Membership.status != MembershipStatus.CANCELLED.value,
            or_(Membership.ends_on.is_(None), Membership.ends_on >= ended_after),
        )
        return self.session.execute(query.order_by(Membership.id)).scalars().all()

    def admitted_checkins(
        self, since: datetime, membership_ids: Collection[uuid.UUID]
    ) -> Sequence[Checkin]:
        """Admitted check-ins on these memberships from ``since`` on."""
        if not membership_ids:
            return []
        query = select(Checkin).where(
            Checkin.tenant_id == self.tenant_id,
            Checkin.admitted.is_(True),
            Checkin.membership_id.in_(list(membership_ids)),
            Checkin.occurred_at >= since,
        )
        return self.session.execute(query.order_by(Checkin.occurred_at)).scalars().all()
