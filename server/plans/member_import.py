"""What a members CSV import needs of plans: the plans a row may name, and the membership
it starts (in the import's transaction, from the import day)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from server.db.uow import UnitOfWork
from server.members.csv_import import ImportPlan
from server.members.models import Member
from server.plans.membership_service import new_membership
from server.plans.models import AccessPlan
from shared.clock import utcnow
from shared.enums import LocationRule, MemberSource


class ImportMemberships:
    """Plans as a members import sees them."""

    def plans(self, uow: UnitOfWork, tenant_id: uuid.UUID) -> list[ImportPlan]:
        rows = uow.db.execute(
            select(AccessPlan).where(AccessPlan.tenant_id == tenant_id, AccessPlan.active)
        ).scalars()
        return [
            ImportPlan(plan.id, plan.name, plan.location_rule == LocationRule.HOME.value)
            for plan in rows
        ]

    def start(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, member: Member, plan_id: uuid.UUID
    ) -> None:
        plan = uow.db.get(AccessPlan, (tenant_id, plan_id))
        if plan is None:  # only plans listed by ``plans`` reach here
            raise LookupError(f"plan {plan_id} vanished during the import")
        new_membership(
            uow,
            tenant_id,
            member_id=member.id,
            plan=plan,
            starts_on=utcnow().date(),
            ends_on=None,
            source=MemberSource.IMPORT,
            home_location_id=None,
        )
