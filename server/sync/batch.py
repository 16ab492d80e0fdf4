"""A run of pushed check-ins applied together: read up front, decided in memory, written at once.

:class:`CheckinBatch` is the per-push cache of ``checkin.create.v1``: in a handful of queries
it loads what the handler needs for every check-in of the run (which ids are recorded
already, the members, their memberships and plans, the visits counted against visit limits,
other kiosks' admissions on the same passes), keeps it up to date as the run's check-ins are
decided, and stages the rows to write (check-ins, movement events, review items) for one
bulk insert per table. Class-pack credits are still taken one conditional UPDATE at a time.
"""

from __future__ import annotations

import uuid
from bisect import bisect_left, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, Uuid, any_, bindparam, func, select, true
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from server.adapters.local_eligibility import LocalEligibility, terms_of
from server.checkin.models import Checkin
from server.db.bulk import insert_rows
from server.engagement.models import MovementEvent
from server.members.models import Member
from server.plans.models import AccessPlan, Membership
from server.plans.repository import MembershipRepository
from server.ports.eligibility import EligibilityDecision, EligibilityRequest
from server.sync import changes, review, rules
from server.sync.models import ReviewItem
from server.sync.registry import MutationContext
from shared import eligibility
from shared.clock import ensure_utc
from shared.enums import LimitPeriod
from shared.ids import new_id
from shared.sync.messages import CheckinCreateArgs

#: Most ids in one ``IN (…)`` list.
_CHUNK = 500
#: Most memberships of one member that eligibility considers (as MembershipRepository.of_member).
_MEMBERSHIPS_PER_MEMBER = 1000


@dataclass(frozen=True)
class MemberFacts:
    id: uuid.UUID
    first_name: str
    last_name: str
    home_location_id: uuid.UUID | None
    archived: bool


def among(session: Session, column: Any, ids: list[uuid.UUID]) -> ColumnElement[bool]:
    """``column IN ids``. On PostgreSQL as ``= ANY(array)``: psycopg prepares a statement it
    runs often, and the generic plan of a long ``IN`` list of parameters may scan the whole
    tenant's index range instead of looking each id up."""
    if session.get_bind().dialect.name == "postgresql":
        array = bindparam(None, ids, type_=postgresql.ARRAY(Uuid))
        return cast(ColumnElement[bool], column == any_(array))
    return cast(ColumnElement[bool], column.in_(ids))


def _chunks(ids: Iterable[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), _CHUNK):
        yield unique[start : start + _CHUNK]


def occurred_at(context: MutationContext, args: CheckinCreateArgs) -> tuple[datetime, bool]:
    """The check-in's business time, clamped when the kiosk's clock runs far ahead."""
    return rules.clamp_time(
        ensure_utc(args.occurred_at or context.mutation.device_time), context.now
    )


class CheckinBatch:
    def __init__(self, context: MutationContext) -> None:
        self.context = context
        self.session = context.uow.session
        self.tenant_id = context.tenant_id
        self.tz = ZoneInfo(context.location.timezone)
        self.local = isinstance(context.eligibility, LocalEligibility)
        self.recorded: set[uuid.UUID] = set()
        self.members: dict[uuid.UUID, MemberFacts] = {}
        self.terms: dict[uuid.UUID, list[eligibility.MembershipTerms]] = {}
        self.owner: dict[uuid.UUID, uuid.UUID] = {}
        #: Admission times per limited membership, sorted.
        self.visits: dict[uuid.UUID, list[datetime]] = {}
        #: Other kiosks' admission times per (member, pass), sorted.
        self.elsewhere: dict[tuple[uuid.UUID, uuid.UUID], list[datetime]] = {}
        self.clock_flagged: bool | None = None
        self.checkins: list[dict[str, Any]] = []
        self.movements: list[dict[str, Any]] = []
        self.reviews: list[ReviewItem] = []
        self.credits_taken = 0

    def prepare(self, args: list[CheckinCreateArgs]) -> None:
        if not args:
            return
        for ids in _chunks(a.checkin_id for a in args):
            self.recorded.update(self.session.execute(self._recorded(ids)).scalars())
        member_ids = [a.member_id for a in args]
        for ids in _chunks(member_ids):
            self._load_members(ids)
            self._load_memberships(ids)
        times = [occurred_at(self.context, a)[0] for a in args]
        self._load_visits(min(times), max(times))
        passes = [(a, t) for a, t in zip(args, times, strict=True) if a.admitted and a.pass_id]
        if passes:
            self._load_elsewhere(passes)

    def _recorded(self, ids: list[uuid.UUID]) -> Select[Any]:
        """Which of ``ids`` are recorded check-ins. On PostgreSQL one primary-key probe per
        id (a lateral subquery): with the statistics of a fast-growing table still unset,
        the planner would otherwise read every check-in of the tenant to filter them."""
        if self.session.get_bind().dialect.name != "postgresql":
            return select(Checkin.id).where(
                Checkin.tenant_id == self.tenant_id, Checkin.id.in_(ids)
            )
        asked = func.unnest(bindparam(None, ids, type_=postgresql.ARRAY(Uuid)))
        sent = asked.table_valued("id").render_derived(name="sent")
        probe = (
            select(Checkin.id)
            .where(Checkin.tenant_id == self.tenant_id, Checkin.id == sent.c.id)
            .limit(1)
            .lateral("probe")
        )
        return select(probe.c.id).select_from(sent.join(probe, true()))

    def _load_members(self, ids: list[uuid.UUID]) -> None:
        query = select(
            Member.id,
            Member.first_name,
            Member.last_name,
            Member.home_location_id,
            Member.archived_at,
        ).where(Member.tenant_id == self.tenant_id, among(self.session, Member.id, ids))
        for id_, first, last, home, archived_at in self.session.execute(query):
            self.members[id_] = MemberFacts(id_, first, last, home, archived_at is not None)

    def _load_memberships(self, ids: list[uuid.UUID]) -> None:
        query = (
            select(Membership, AccessPlan)
            .join(
                AccessPlan,
                (AccessPlan.tenant_id == Membership.tenant_id)
                & (AccessPlan.id == Membership.plan_id),
            )
            .where(
                Membership.tenant_id == self.tenant_id,
                among(self.session, Membership.member_id, ids),
            )
            .order_by(Membership.member_id, Membership.id)
            # Credits taken with Core UPDATEs leave loaded objects stale: read afresh.
            .execution_options(populate_existing=True)
        )
        for membership, plan in self.session.execute(query):
            self.owner[membership.id] = membership.member_id
            of_member = self.terms.setdefault(membership.member_id, [])
            if len(of_member) < _MEMBERSHIPS_PER_MEMBER:
                of_member.append(terms_of(membership, plan))

    def _load_visits(self, first: datetime, last: datetime) -> None:
        limited = [t.id for ts in self.terms.values() for t in ts if t.plan.visit_limit_period]
        if not limited:
            return
        start = min(eligibility.period_bounds(first, self.tz, p)[0] for p in LimitPeriod)
        end = max(eligibility.period_bounds(last, self.tz, p)[1] for p in LimitPeriod)
        for ids in _chunks(limited):
            query = select(Checkin.membership_id, Checkin.occurred_at).where(
                Checkin.tenant_id == self.tenant_id,
                among(self.session, Checkin.membership_id, ids),
                Checkin.admitted.is_(True),
                Checkin.occurred_at >= start,
                Checkin.occurred_at < end,
            )
            for membership_id, at in self.session.execute(query):
                if membership_id is not None:
                    self.visits.setdefault(membership_id, []).append(ensure_utc(at))
        for times in self.visits.values():
            times.sort()

    def _load_elsewhere(self, passes: Sequence[tuple[CheckinCreateArgs, datetime]]) -> None:
        window = rules.SHARED_PASS_WINDOW
        start = min(t for _, t in passes) - window
        end = max(t for _, t in passes) + window
        for ids in _chunks(a.member_id for a, _ in passes):
            query = select(Checkin.member_id, Checkin.pass_id, Checkin.occurred_at).where(
                Checkin.tenant_id == self.tenant_id,
                among(self.session, Checkin.member_id, ids),
                Checkin.pass_id.is_not(None),
                Checkin.admitted.is_(True),
                Checkin.device_id.is_not(None),
                Checkin.device_id != self.context.device.id,
                Checkin.occurred_at >= start,
                Checkin.occurred_at <= end,
            )
            for member_id, pass_id, at in self.session.execute(query):
                if pass_id is not None:
                    self.elsewhere.setdefault((member_id, pass_id), []).append(ensure_utc(at))
        for times in self.elsewhere.values():
            times.sort()

    def known(self, checkin_id: uuid.UUID) -> bool:
        return checkin_id in self.recorded

    def member(self, member_id: uuid.UUID) -> MemberFacts | None:
        return self.members.get(member_id)

    def owns(self, member: MemberFacts, membership_id: uuid.UUID | None) -> bool:
        return membership_id is not None and self.owner.get(membership_id) == member.id

    def decide(
        self,
        context: MutationContext,
        member: MemberFacts,
        at: datetime,
        *,
        credit_prepaid: bool = False,
    ) -> EligibilityDecision:
        """As LocalEligibility would decide now, from the data read up front."""
        if not self.local:
            request = EligibilityRequest(
                tenant_id=self.tenant_id,
                member_id=member.id,
                location_id=context.location.id,
                at=at,
                credit_prepaid=credit_prepaid,
            )
            return context.eligibility.decide(request, uow=context.uow)
        if member.archived:  # what member_or_404 says to LocalEligibility
            return EligibilityDecision(admitted=False, reason=f"member {member.id} was not found")
        memberships = self.terms.get(member.id, [])
        used: dict[uuid.UUID, int] = {}
        for terms in memberships:
            period = terms.plan.visit_limit_period
            if period is not None:
                start, end = eligibility.period_bounds(at, self.tz, period)
                times = self.visits.get(terms.id, [])
                used[terms.id] = bisect_left(times, end) - bisect_left(times, start)
        decision = eligibility.decide(
            memberships,
            location_id=context.location.id,
            member_home_location_id=member.home_location_id,
            at=at,
            tz=self.tz,
            visits_used=used,
            credit_prepaid=credit_prepaid,
        )
        return EligibilityDecision(
            admitted=decision.admitted,
            reason=decision.reason,
            membership_id=decision.membership_id,
            warning=decision.warning,
            consumes_credit=decision.consumes_credit,
        )

    def take_credit(self, member: MemberFacts, membership_id: uuid.UUID) -> bool:
        """Use one credit with a conditional UPDATE; the batch's copy follows."""
        self.credits_taken += 1
        taken = MembershipRepository(self.session, self.tenant_id).take_credit(membership_id)
        if taken:
            # A Core UPDATE: kiosks learn the new credit count through an explicit change.
            changes.touch(self.session, Membership, self.tenant_id, membership_id)
        terms = self.terms.get(member.id, [])
        for index, one in enumerate(terms):
            if one.id == membership_id and one.credits_remaining is not None:
                left = one.credits_remaining - 1 if taken else 0
                terms[index] = replace(one, credits_remaining=left)
        return taken

    def used_elsewhere(
        self, member_id: uuid.UUID, pass_id: uuid.UUID, at: datetime
    ) -> datetime | None:
        """Another kiosk's admission on this pass within the shared-pass window of ``at``."""
        times = self.elsewhere.get((member_id, pass_id), [])
        index = bisect_left(times, at - rules.SHARED_PASS_WINDOW)
        if index < len(times) and times[index] <= at + rules.SHARED_PASS_WINDOW:
            return times[index]
        return None

    def clock_needs_flag(self) -> bool:
        """True once per device until an open clock review item exists."""
        if self.clock_flagged is None:
            items = review.ReviewItemRepository(self.session, self.tenant_id)
            found = items.open_of_device(self.context.device.id, review.CLOCK_AHEAD)
            self.clock_flagged = found is not None
        return not self.clock_flagged

    def add_checkin(self, row: dict[str, Any]) -> None:
        row["tenant_id"] = self.tenant_id
        self.checkins.append(row)
        self.recorded.add(row["id"])
        if row["admitted"]:
            changes.record_values(self.session, Checkin, row)
            if row["membership_id"] is not None:
                insort(self.visits.setdefault(row["membership_id"], []), row["occurred_at"])

    def add_movement(self, row: dict[str, Any]) -> None:
        self.movements.append({"tenant_id": self.tenant_id, "id": new_id(), **row})

    def review(self, context: MutationContext, kind: str, summary: str, **about: Any) -> None:
        """Stage a review item, written with the batch's other rows."""
        item = review.new_item(
            self.tenant_id,
            location_id=context.location.id,
            kind=kind,
            summary=summary,
            member_id=about.get("member_id"),
            checkin_id=about.get("checkin_id"),
            device_id=context.device.id,
            mutation_id=context.mutation.mutation_id,
            now=context.now,
        )
        if kind == review.CLOCK_AHEAD:
            self.clock_flagged = True
        self.reviews.append(item)
        context.review_items.append(item)
        changes.record_change(self.session, item)

    def staged(self) -> int:
        return len(self.checkins) + len(self.movements) + len(self.reviews) + self.credits_taken

    def write(self) -> None:
        columns = ReviewItem.__table__.columns
        reviews = [{c.key: getattr(item, c.key) for c in columns} for item in self.reviews]
        staged = [(Checkin, self.checkins), (MovementEvent, self.movements), (ReviewItem, reviews)]
        for model, rows in staged:
            insert_rows(self.session, model, rows)
