"""The kiosk decides with the server's own rules (shared.eligibility), from its cache."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from desktop.core.checkin.model import Decision
from desktop.core.store.records import CachedMembership
from shared import eligibility


def _terms(membership: CachedMembership) -> eligibility.MembershipTerms:
    plan = membership.plan
    return eligibility.MembershipTerms(
        id=membership.id,
        plan=eligibility.PlanTerms(
            name=plan.name,
            kind=plan.kind,
            location_rule=plan.location_rule,
            location_ids=frozenset(plan.location_ids),
            visit_limit=plan.visit_limit,
            visit_limit_period=plan.visit_limit_period,
            visit_limit_mode=plan.visit_limit_mode,
            time_windows=plan.time_windows,
        ),
        status=membership.status,
        starts_on=membership.starts_on,
        ends_on=membership.ends_on,
        frozen_until=membership.frozen_until,
        credits_remaining=membership.credits_remaining,
        home_location_id=membership.home_location_id,
        covered_by=membership.covered_by,
    )


def shared_rules_decider(
    *,
    memberships: Sequence[CachedMembership],
    member_home_location_id: uuid.UUID | None,
    location_id: uuid.UUID,
    location_timezone: str,
    at: datetime,
    visits_used: Mapping[uuid.UUID, int],
    credit_prepaid: bool = False,
) -> Decision:
    """A :class:`~desktop.core.checkin.model.Decider` over :func:`shared.eligibility.decide`."""
    decided = eligibility.decide(
        [_terms(m) for m in memberships],
        location_id=location_id,
        member_home_location_id=member_home_location_id,
        at=at,
        tz=ZoneInfo(location_timezone),
        visits_used=visits_used,
        credit_prepaid=credit_prepaid,
    )
    return Decision(
        admitted=decided.admitted,
        reason=decided.reason,
        membership_id=decided.membership_id,
        warning=decided.warning,
    )
