"""Local eligibility decisions for many requests at once, from data read up front.

A push brings hundreds of check-ins: the members with their memberships and plans, and the
admissions counted against visit limits around those times, are read in a few queries; each
decision is then made in memory, and the admissions and credits the caller records are added
as it goes, so that the tenth visit of a ten-visit plan in the same push is refused as it
would be one at a time. Requests that carry what the caller read (:class:`KnownMember`, a
booking batch) need no reads at all.
"""

from __future__ import annotations

import uuid
from bisect import bisect_left, insort
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Select, Table, select
from sqlalchemy.orm import Session

from server.adapters.eligibility_inputs import as_decision, location_zone
from server.checkin.models import Checkin
from server.corporate.service import cover_names
from server.db.bulk import among, chunks
from server.members.models import Member
from server.plans.repository import membership_and_plan, with_memberships
from server.plans.terms import terms_of
from server.ports.eligibility import EligibilityDecision, EligibilityRequest, Purpose
from shared import eligibility as rules
from shared.clock import ensure_utc
from shared.enums import LimitPeriod

#: Most memberships of one member that eligibility considers (as MembershipRepository.of_member).
_MEMBERSHIPS_PER_MEMBER = 1000

Decide = Callable[[EligibilityRequest], EligibilityDecision]


@dataclass
class _Member:
    home_location_id: uuid.UUID | None
    archived: bool
    terms: list[rules.MembershipTerms] = field(default_factory=list)


@cache
def _members_query() -> Select[Any]:
    members = cast(Table, Member.__table__)
    return with_memberships(members.c.id, members.c.home_location_id, members.c.archived_at)


class LocalEligibilityBatch:
    def __init__(
        self, db: Session, requests: Sequence[EligibilityRequest], decide_alone: Decide
    ) -> None:
        self._db = db
        self._decide_alone = decide_alone
        self._members: dict[tuple[uuid.UUID, uuid.UUID], _Member] = {}
        self._holders: dict[uuid.UUID, _Member] = {}
        #: Admission times per limited membership, sorted.
        self._visits: dict[uuid.UUID, list[datetime]] = {}
        self._zones: dict[tuple[uuid.UUID, uuid.UUID], ZoneInfo] = {}
        unknown = [r for r in requests if r.known is None]
        for tenant_id in dict.fromkeys(r.tenant_id for r in unknown):
            of_tenant = [r for r in unknown if r.tenant_id == tenant_id]
            for ids in chunks(r.member_id for r in of_tenant):
                self._load_members(tenant_id, ids)
            self._load_visits(tenant_id, [r for r in of_tenant if r.purpose is Purpose.DOOR])

    def _zone(self, tenant_id: uuid.UUID, location_id: uuid.UUID) -> ZoneInfo:
        key = (tenant_id, location_id)
        found = self._zones.get(key)
        if found is None:
            found = self._zones[key] = location_zone(self._db, tenant_id, location_id)
        return found

    def _load_members(self, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> None:
        members = cast(Table, Member.__table__)
        query = _members_query().where(
            members.c.tenant_id == tenant_id, among(self._db, members.c.id, ids)
        )
        rows = self._db.connection().execute(query).mappings().all()
        # The door names the company that pays for a corporate membership, as one at a time.
        covers = cover_names(self._db, tenant_id, {row["m_corporate_account_id"] for row in rows})
        for row in rows:
            key = (tenant_id, row["id"])
            member = self._members.get(key)
            if member is None:
                member = self._members[key] = _Member(
                    row["home_location_id"], row["archived_at"] is not None
                )
            held = membership_and_plan(row)
            if held is None:
                continue
            self._holders[row["m_id"]] = member
            if len(member.terms) < _MEMBERSHIPS_PER_MEMBER:
                terms = terms_of(*held)
                cover = covers.get(row["m_corporate_account_id"])
                member.terms.append(replace(terms, covered_by=cover) if cover else terms)

    def _load_visits(self, tenant_id: uuid.UUID, door: list[EligibilityRequest]) -> None:
        """Admissions on the limited memberships in every period the requests fall in."""
        limited = [
            t.id
            for r in door
            if (member := self._members.get((tenant_id, r.member_id))) is not None
            for t in member.terms
            if t.plan.visit_limit_period
        ]
        if not limited:
            return
        starts, ends = [], []
        for location_id in dict.fromkeys(r.location_id for r in door):
            times = [r.at for r in door if r.location_id == location_id]
            tz = self._zone(tenant_id, location_id)
            starts += [rules.period_bounds(min(times), tz, p)[0] for p in LimitPeriod]
            ends += [rules.period_bounds(max(times), tz, p)[1] for p in LimitPeriod]
        for ids in chunks(limited):
            query = select(Checkin.membership_id, Checkin.occurred_at).where(
                Checkin.tenant_id == tenant_id,
                among(self._db, Checkin.membership_id, ids),
                Checkin.admitted.is_(True),
                Checkin.occurred_at >= min(starts),
                Checkin.occurred_at < max(ends),
            )
            for membership_id, at in self._db.execute(query):
                if membership_id is not None:
                    self._visits.setdefault(membership_id, []).append(ensure_utc(at))
        for visits in self._visits.values():
            visits.sort()

    def decide(self, request: EligibilityRequest) -> EligibilityDecision:
        if request.known is not None and request.purpose is Purpose.BOOKING:
            terms, home = list(request.known.memberships), request.known.home_location_id
        else:
            member = self._members.get((request.tenant_id, request.member_id))
            if member is None:  # not asked about up front: decide it on its own
                return self._decide_alone(request)
            if member.archived:  # what deciding it on its own says
                return EligibilityDecision(
                    admitted=False, reason=f"member {request.member_id} was not found"
                )
            terms, home = member.terms, member.home_location_id
        tz = self._zone(request.tenant_id, request.location_id)
        decision = rules.decide(
            terms,
            location_id=request.location_id,
            member_home_location_id=home,
            at=request.at,
            tz=tz,
            visits_used=self._used(request, terms, tz),
            credit_prepaid=request.credit_prepaid,
        )
        return as_decision(decision)

    def _used(
        self, request: EligibilityRequest, terms: list[rules.MembershipTerms], tz: ZoneInfo
    ) -> dict[uuid.UUID, int]:
        if request.purpose is not Purpose.DOOR:
            return {}
        used: dict[uuid.UUID, int] = {}
        for one in terms:
            period = one.plan.visit_limit_period
            if period is not None:
                start, end = rules.period_bounds(request.at, tz, period)
                times = self._visits.get(one.id, [])
                used[one.id] = bisect_left(times, end) - bisect_left(times, start)
        return used

    def admitted(self, membership_id: uuid.UUID, at: datetime) -> None:
        insort(self._visits.setdefault(membership_id, []), at)

    def credit_used(self, membership_id: uuid.UUID, *, taken: bool) -> None:
        holder = self._holders.get(membership_id)
        if holder is None:
            return
        for index, one in enumerate(holder.terms):
            if one.id == membership_id and one.credits_remaining is not None:
                left = one.credits_remaining - 1 if taken else 0
                holder.terms[index] = replace(one, credits_remaining=left)
