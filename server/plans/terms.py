"""A membership and its plan as the eligibility rules (``shared.eligibility``) read them."""

from __future__ import annotations

import uuid
from typing import Any

from shared import eligibility as rules
from shared.enums import LimitMode, LimitPeriod, LocationRule, MembershipStatus, PlanKind
from shared.time_windows import TimeWindow


def windows_of(stored: list[dict[str, Any]] | None) -> tuple[TimeWindow, ...]:
    """A plan's stored off-peak windows (checked when they were saved)."""
    return tuple(TimeWindow.model_validate(w) for w in stored) if stored else ()


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
            time_windows=windows_of(plan.time_windows),
        ),
        status=MembershipStatus(membership.status),
        starts_on=membership.starts_on,
        ends_on=membership.ends_on,
        frozen_until=membership.frozen_until,
        credits_remaining=membership.credits_remaining,
        home_location_id=membership.home_location_id,
    )
