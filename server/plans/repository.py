"""Data access for access plans, memberships and sales."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from server.db.repository import TenantRepository
from server.errors import NotFound
from server.members.models import Member
from server.plans.models import AccessPlan, Membership, Sale
from server.tenants.models import Location


class PlanRepository(TenantRepository[AccessPlan]):
    model = AccessPlan
    noun = "plan"

    def search(
        self, *, kind: str | None, active: bool | None, limit: int, offset: int
    ) -> Sequence[AccessPlan]:
        query = self._select()
        if kind is not None:
            query = query.where(AccessPlan.kind == kind)
        if active is not None:
            query = query.where(AccessPlan.active.is_(active))
        rows: Sequence[AccessPlan] = (
            self.db.execute(query.order_by(AccessPlan.id).limit(limit).offset(offset))
            .scalars()
            .all()
        )
        return rows


class MembershipRepository(TenantRepository[Membership]):
    model = Membership
    noun = "membership"

    def _with_plans(self) -> Select[Membership, AccessPlan, str | None]:
        """Memberships with their plan and their home location's time zone, if any."""
        return (
            select(Membership, AccessPlan, Location.timezone)
            .join(
                AccessPlan,
                (AccessPlan.tenant_id == Membership.tenant_id)
                & (AccessPlan.id == Membership.plan_id),
            )
            .outerjoin(
                Location,
                (Location.tenant_id == Membership.tenant_id)
                & (Location.id == Membership.home_location_id),
            )
            .where(Membership.tenant_id == self.tenant_id)
        )

    def of_member(
        self, member_id: uuid.UUID, *, limit: int = 1000, offset: int = 0
    ) -> list[tuple[Membership, AccessPlan, str | None]]:
        """The member's memberships with their plans, read afresh (never from the identity map)."""
        query = (
            self._with_plans()
            .where(Membership.member_id == member_id)
            .order_by(Membership.id)
            .limit(limit)
            .offset(offset)
            .execution_options(populate_existing=True)
        )
        return [(m, p, tz) for m, p, tz in self.db.execute(query)]

    def with_plan_or_404(
        self, membership_id: uuid.UUID
    ) -> tuple[Membership, AccessPlan, str | None]:
        row = self.db.execute(
            self._with_plans().where(Membership.id == membership_id)
        ).one_or_none()
        if row is None:
            raise NotFound(f"membership {membership_id} was not found")
        return row[0], row[1], row[2]

    def take_credit(self, membership_id: uuid.UUID) -> bool:
        """Use one credit unless none is left: one conditional UPDATE, safe under concurrency."""
        result = self.db.execute(
            update(Membership)
            .where(
                Membership.tenant_id == self.tenant_id,
                Membership.id == membership_id,
                Membership.credits_remaining > 0,
            )
            .values(credits_remaining=Membership.credits_remaining - 1)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


class SaleRepository(TenantRepository[Sale]):
    model = Sale
    noun = "sale"


def member_or_404(db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID) -> Member:
    """A current member of this tenant; another tenant's or an archived one is not found."""
    member: Member | None = db.execute(
        select(Member).where(
            Member.tenant_id == tenant_id,
            Member.id == member_id,
            Member.archived_at.is_(None),
        )
    ).scalar_one_or_none()
    if member is None:
        raise NotFound(f"member {member_id} was not found")
    return member
