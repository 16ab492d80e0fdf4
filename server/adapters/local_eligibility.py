"""Standalone eligibility: decided from the tenant's own memberships, in the caller's transaction.

The rules are :func:`shared.eligibility.decide`; this adapter only gathers their inputs.
A ZHEP adapter would implement the same port over HTTP and ignore the unit of work.
"""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from server.checkin.repository import CheckinRepository
from server.db.uow import UnitOfWork
from server.errors import NotFound
from server.plans.models import AccessPlan, Membership
from server.plans.repository import MembershipRepository, member_or_404
from server.ports.eligibility import EligibilityDecision, EligibilityRequest
from server.tenants.repository import LocationRepository
from shared import eligibility as rules
from shared.enums import LimitMode, LimitPeriod, LocationRule, MembershipStatus, PlanKind


def terms_of(membership: Membership, plan: AccessPlan) -> rules.MembershipTerms:
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


class LocalEligibility:
    def decide(self, request: EligibilityRequest, *, uow: UnitOfWork) -> EligibilityDecision:
        session, tenant_id = uow.session, request.tenant_id
        location = LocationRepository(session, tenant_id).get(request.location_id)
        if location is None:
            raise NotFound(f"location {request.location_id} was not found")
        tz = ZoneInfo(location.timezone)
        member = member_or_404(session, tenant_id, request.member_id)
        memberships = [
            terms_of(m, p)
            for m, p, _ in MembershipRepository(session, tenant_id).of_member(member.id)
        ]
        visits: dict[uuid.UUID, int] = {}
        checkins = CheckinRepository(session, tenant_id)
        for period in LimitPeriod:
            limited = [m.id for m in memberships if m.plan.visit_limit_period is period]
            if limited:
                start, end = rules.period_bounds(request.at, tz, period)
                visits.update(checkins.admissions(limited, start, end))
        decision = rules.decide(
            memberships,
            location_id=location.id,
            member_home_location_id=member.home_location_id,
            at=request.at,
            tz=tz,
            visits_used=visits,
            credit_prepaid=request.credit_prepaid,
        )
        return EligibilityDecision(
            admitted=decision.admitted,
            reason=decision.reason,
            membership_id=decision.membership_id,
            warning=decision.warning,
            consumes_credit=decision.consumes_credit,
        )
