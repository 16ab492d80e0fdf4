"""Standalone eligibility: decided from the tenant's own memberships, in the caller's transaction.

The rules are :func:`shared.eligibility.decide`; this adapter only gathers their inputs, for
one decision or, once, for a batch of them (:mod:`server.adapters.local_eligibility_batch`).
A ZHEP adapter would implement the same port over HTTP and ignore the unit of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from server.adapters.eligibility_inputs import as_decision, location_zone, zone
from server.adapters.local_eligibility_batch import LocalEligibilityBatch
from server.checkin.repository import CheckinRepository
from server.corporate.service import cover_names
from server.db.uow import UnitOfWork
from server.errors import NotFound
from server.plans.repository import MembershipRepository, member_or_404
from server.plans.terms import terms_of
from server.ports.eligibility import (
    EligibilityDecision,
    EligibilityRequest,
    KnownMember,
    Purpose,
)
from server.tenants.repository import LocationRepository
from shared import eligibility as rules
from shared.enums import LimitPeriod


def _visits(
    db: Session,
    request: EligibilityRequest,
    memberships: Sequence[rules.MembershipTerms],
    tz: ZoneInfo,
) -> dict[uuid.UUID, int]:
    """Admissions so far in each limited membership's current period (door decisions only)."""
    if request.purpose is not Purpose.DOOR:
        return {}
    visits: dict[uuid.UUID, int] = {}
    checkins = CheckinRepository(db, request.tenant_id)
    for period in LimitPeriod:
        limited = [m.id for m in memberships if m.plan.visit_limit_period is period]
        if limited:
            start, end = rules.period_bounds(request.at, tz, period)
            visits.update(checkins.admissions(limited, start, end))
    return visits


class LocalEligibility:
    remote = False

    def prefetch(self, requests: Sequence[EligibilityRequest], *, uow: UnitOfWork) -> None:
        """Nothing to ask ahead: every decision is read in the caller's transaction."""

    def decide(self, request: EligibilityRequest, *, uow: UnitOfWork) -> EligibilityDecision:
        db, tenant_id = uow.db, request.tenant_id
        if request.known is not None:
            return self._decide_known(db, request, request.known)
        location = LocationRepository(db, tenant_id).get(request.location_id)
        if location is None:
            raise NotFound(f"location {request.location_id} was not found")
        tz = zone(location.timezone)
        member = member_or_404(db, tenant_id, request.member_id)
        held = MembershipRepository(db, tenant_id).of_member(member.id)
        covers = cover_names(db, tenant_id, {m.corporate_account_id for m, _, _ in held})
        memberships = [
            replace(terms_of(m, p), covered_by=covers.get(m.corporate_account_id))
            if m.corporate_account_id is not None
            else terms_of(m, p)
            for m, p, _ in held
        ]
        decision = rules.decide(
            memberships,
            location_id=location.id,
            member_home_location_id=member.home_location_id,
            at=request.at,
            tz=tz,
            visits_used=_visits(db, request, memberships, tz),
            credit_prepaid=request.credit_prepaid,
        )
        return as_decision(decision)

    def _decide_known(
        self, db: Session, request: EligibilityRequest, known: KnownMember
    ) -> EligibilityDecision:
        tz = location_zone(db, request.tenant_id, request.location_id)
        decision = rules.decide(
            known.memberships,
            location_id=request.location_id,
            member_home_location_id=known.home_location_id,
            at=request.at,
            tz=tz,
            visits_used=_visits(db, request, known.memberships, tz),
            credit_prepaid=request.credit_prepaid,
        )
        return as_decision(decision)

    def open_batch(
        self, requests: Sequence[EligibilityRequest], *, uow: UnitOfWork
    ) -> LocalEligibilityBatch:
        return LocalEligibilityBatch(uow.db, requests, partial(self.decide, uow=uow))
