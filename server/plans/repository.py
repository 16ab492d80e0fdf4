"""Data access for access plans, memberships and sales."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import ColumnElement, RowMapping, Select, Table, select, update
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


def member_or_404(
    db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID, *, for_update: bool = False
) -> Member:
    """A current member of this tenant; another tenant's or an archived one is not found.
    ``for_update`` locks the row: changes to the member's memberships then take turns."""
    query = select(Member).where(
        Member.tenant_id == tenant_id,
        Member.id == member_id,
        Member.archived_at.is_(None),
    )
    if for_update:
        query = query.with_for_update()
    member: Member | None = db.execute(query).scalar_one_or_none()
    if member is None:
        raise NotFound(f"member {member_id} was not found")
    return member


def with_memberships(*member_columns: ColumnElement[Any]) -> Select[Any]:
    """``member_columns`` (of the members table) with every column of each of the member's
    memberships (labelled ``m_<name>``) and of its plan (``p_<name>``): one row per
    membership, one with NULLs for a member without any, in member then membership order.
    Read with :func:`membership_and_plan`. Core rows, not ORM objects: hot paths read many."""
    members, memberships, plans = (
        cast(Table, model.__table__) for model in (Member, Membership, AccessPlan)
    )
    return (
        select(
            *member_columns,
            *(c.label(f"m_{c.key}") for c in memberships.c),
            *(c.label(f"p_{c.key}") for c in plans.c),
        )
        .select_from(members)
        .outerjoin(
            memberships,
            (memberships.c.tenant_id == members.c.tenant_id)
            & (memberships.c.member_id == members.c.id),
        )
        .outerjoin(
            plans,
            (plans.c.tenant_id == memberships.c.tenant_id) & (plans.c.id == memberships.c.plan_id),
        )
        .order_by(members.c.id, memberships.c.id)
    )


def membership_and_plan(row: RowMapping) -> tuple[Any, Any] | None:
    """The membership and plan of a :func:`with_memberships` row, as objects with their
    columns as attributes (what :func:`terms_of` reads); None for a member without one."""
    if row["m_id"] is None or row["p_id"] is None:
        return None
    membership = SimpleNamespace(**{k[2:]: v for k, v in row.items() if k[:2] == "m_"})
    plan = SimpleNamespace(**{k[2:]: v for k, v in row.items() if k[:2] == "p_"})
    return membership, plan
