"""A membership and its plan as the eligibility rules (``shared.eligibility``) read them."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import ColumnElement, RowMapping, Select, Table, select

from server.members.models import Member
from server.plans.models import AccessPlan, Membership
from shared import eligibility as rules
from shared.enums import LimitMode, LimitPeriod, LocationRule, MembershipStatus, PlanKind


def terms_of(membership: Any, plan: Any) -> rules.MembershipTerms:
    """From a :class:`Membership` and its :class:`AccessPlan`, or rows with their columns."""
    return rules.MembershipTerms(
        id=membership.id,
        plan=rules.PlanTerms(
            name=plan.name,
            kind=PlanKind(plan.kind),
            location_rule=LocationRule(plan.location_rule),
            location_ids=frozenset(uuid.UUID(str(i)) for i in plan.location_ids),
            visit_limit=plan.visit_limit,
            visit_limit_period=(
                LimitPeriod(plan.visit_limit_period) if plan.visit_limit_period else None
            ),
            visit_limit_mode=LimitMode(plan.visit_limit_mode),
        ),
        status=MembershipStatus(membership.status),
        starts_on=membership.starts_on,
        ends_on=membership.ends_on,
        frozen_until=membership.frozen_until,
        credits_remaining=membership.credits_remaining,
        home_location_id=membership.home_location_id,
    )


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
