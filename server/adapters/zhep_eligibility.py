"""Integrated eligibility: the tenant's own memberships first, then the member's payer
benefit in ZPS (through :class:`~server.ports.benefits.BenefitsService`).

A member is admitted when a local membership admits them (decided locally, ZPS is not asked)
OR when ZPS says a benefit covers the visit. Members without a ZHEP ``party_id`` are decided
locally only. Every ZPS answer is kept as the member's benefit snapshot (sent to kiosks);
when ZPS does not answer (timeout, 5xx, a body that is not the contract's), the snapshot
decides while it is valid, and the decision says how old it is. An admission on a benefit
writes a utilisation report in the caller's transaction: it exists only if the admission
commits, and the ``benefits.report`` job sends it.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from server.adapters.local_eligibility import LocalEligibility
from server.benefits.models import BenefitSnapshot, BenefitUtilisation
from server.benefits.repository import BenefitRepository
from server.db.uow import UnitOfWork
from server.ports.benefits import BenefitAnswer, BenefitCheck, BenefitsService, BenefitsUnavailable
from server.ports.eligibility import (
    EligibilityBatch,
    EligibilityDecision,
    EligibilityRequest,
    EligibilityService,
    Purpose,
)
from shared import benefits as rules
from shared.clock import utcnow
from shared.ids import new_id

Clock = Callable[[], datetime]


def _known(row: BenefitSnapshot | None) -> rules.KnownBenefit | None:
    if row is None:
        return None
    return rules.KnownBenefit(
        row.eligible, row.reason, row.benefit_id, row.valid_until, row.checked_at
    )


def _details(answer: BenefitAnswer) -> str | None:
    parts = []
    if answer.wallet_balance is not None:
        parts.append(f"wallet {answer.currency or ''} {answer.wallet_balance}".replace("  ", " "))
    if answer.visits_left is not None:
        parts.append(f"{answer.visits_left} visits left")
    return ", ".join(parts) or None


class _Decider:
    """What one decision and one batch share: turning ZPS's answer (or its absence) into a
    decision, keeping the answer and writing the utilisation report."""

    def __init__(self, uow: UnitOfWork, tenant_id: uuid.UUID, clock: Clock) -> None:
        self.repo = BenefitRepository(uow.db, tenant_id)
        self.clock = clock

    def answered(
        self, request: EligibilityRequest, local: EligibilityDecision, answer: BenefitAnswer
    ) -> EligibilityDecision:
        if not (answer.eligible and answer.benefit_id):
            return EligibilityDecision(
                admitted=False, reason=f"{local.reason}; ZPS: {answer.reason}"
            )
        self._report(request, answer.party_id, answer.benefit_id)
        return EligibilityDecision(
            admitted=True,
            reason=f"ZPS benefit {answer.benefit_id}: {answer.reason}"[:300],
            warning=_details(answer),
        )

    def unanswered(
        self, request: EligibilityRequest, local: EligibilityDecision, party_id: str, why: str
    ) -> EligibilityDecision:
        row = self.repo.snapshot(request.member_id)
        outcome = rules.from_last_known(_known(row), request.at, now=self.clock())
        if not outcome.admitted or row is None or row.benefit_id is None:
            age = f" ({outcome.warning})" if outcome.warning else ""
            return EligibilityDecision(
                admitted=False, reason=f"{local.reason}; {why}: {outcome.reason}{age}"[:300]
            )
        self._report(request, party_id, row.benefit_id)
        return EligibilityDecision(
            admitted=True, reason=outcome.reason[:300], warning=f"{why}: {outcome.warning}"
        )

    def given(
        self,
        request: EligibilityRequest,
        local: EligibilityDecision,
        party_id: str,
        found: BenefitAnswer | BenefitsUnavailable,
    ) -> EligibilityDecision:
        """Decide on ZPS's answer, kept as the member's snapshot, or on its absence."""
        if isinstance(found, BenefitsUnavailable):
            return self.unanswered(request, local, party_id, f"ZPS unavailable ({found})")
        self.repo.remember(request.member_id, found)
        return self.answered(request, local, found)

    def _report(self, request: EligibilityRequest, party_id: str, benefit_id: str) -> None:
        if request.purpose is not Purpose.DOOR:
            return  # a booked class is reported when the member comes to the door
        self.repo.add_report(
            BenefitUtilisation(
                id=new_id(),
                member_id=request.member_id,
                party_id=party_id,
                benefit_id=benefit_id,
                location_id=request.location_id,
                purpose=request.purpose.value,
                occurred_at=request.at,
                state="pending",
                attempts=0,
                next_attempt_at=self.clock(),
            )
        )


def _check(request: EligibilityRequest, party_id: str) -> BenefitCheck:
    return BenefitCheck(
        party_id, request.location_id, request.purpose, request.at, member_id=request.member_id
    )


def _nearest(answers: list[tuple[datetime, BenefitAnswer]], at: datetime) -> BenefitAnswer | None:
    """The member's answer asked for the time nearest ``at`` (the caller may decide at a
    time a little off the one it prepared), if it still holds then."""
    if not answers:
        return None
    _asked, answer = min(answers, key=lambda item: abs(item[0] - at))
    return answer if at < answer.valid_until else None


#: Whose decision an answer asked ahead is for (its time is matched apart, see ``_Ahead``).
_AheadKey = tuple[uuid.UUID, uuid.UUID, uuid.UUID, str, str]
#: An answer asked ahead and not used within this long is dropped (the caller failed or
#: decided without it).
AHEAD_TTL_S = 30.0
#: How far the decision's time may be from the one asked about: a door check-in is stamped
#: when its turn comes (after any wait for the member's lock), a moment after it asked.
AHEAD_SLACK = timedelta(minutes=1)


def _ahead_key(request: EligibilityRequest, party_id: str) -> _AheadKey:
    return (
        request.tenant_id,
        request.member_id,
        request.location_id,
        request.purpose.value,
        party_id,
    )


_Found = BenefitAnswer | BenefitsUnavailable


class _Ahead:
    """ZPS's answers (or its failure) asked before the caller's write transaction, each
    taken once, by the decision of the same member, place and purpose nearest in time
    (within ``AHEAD_SLACK``). Shared by the server's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: dict[_AheadKey, list[tuple[float, datetime, _Found]]] = {}

    def put(self, key: _AheadKey, at: datetime, found: _Found) -> None:
        now = time.monotonic()
        with self._lock:
            for k in list(self._found):
                fresh = [item for item in self._found[k] if now - item[0] <= AHEAD_TTL_S]
                if fresh:
                    self._found[k] = fresh
                else:
                    del self._found[k]
            self._found.setdefault(key, []).append((now, at, found))

    def take(self, key: _AheadKey, at: datetime) -> _Found | None:
        now = time.monotonic()
        with self._lock:
            items = self._found.get(key, [])
            near = [
                item
                for item in items
                if now - item[0] <= AHEAD_TTL_S and abs(item[1] - at) <= AHEAD_SLACK
            ]
            if not near:
                return None
            best = min(near, key=lambda item: abs(item[1] - at))
            items.remove(best)
            if not items:
                del self._found[key]
        return best[2]


class ZhepEligibility:
    remote = True

    def __init__(
        self,
        benefits: BenefitsService,
        *,
        local: EligibilityService | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self._benefits = benefits
        self._local = local or LocalEligibility()
        self._clock = clock
        self._ahead = _Ahead()

    def prefetch(self, requests: Sequence[EligibilityRequest], *, uow: UnitOfWork) -> None:
        """Ask ZPS now, in one call, about the requests the members' own memberships refuse
        whose members have a party; the answers wait for the decisions (nothing is written
        here)."""
        parties: dict[uuid.UUID, str] = {}
        for tenant_id in dict.fromkeys(r.tenant_id for r in requests):
            ids = list(dict.fromkeys(r.member_id for r in requests if r.tenant_id == tenant_id))
            parties.update(BenefitRepository(uow.db, tenant_id).party_ids(ids))
        # Members without a party are decided locally: nothing more to read for them here.
        requests = [r for r in requests if r.member_id in parties]
        if not requests:
            return
        local = self._local.open_batch(requests, uow=uow)
        wanted = [
            (request, parties[request.member_id])
            for request in requests
            if not local.decide(request).admitted
        ]
        if not wanted:
            return
        checks = [_check(request, party_id) for request, party_id in wanted]
        found: list[BenefitAnswer | BenefitsUnavailable]
        try:
            if len(checks) == 1 and checks[0].purpose is Purpose.DOOR:
                # The member at the door: the door's own (short) timeout, as in decide().
                found = [self._benefits.check(checks[0])]
            else:
                found = list(self._benefits.check_many(checks))
        except BenefitsUnavailable as exc:
            found = [exc] * len(checks)
        for (request, party_id), answer in zip(wanted, found, strict=True):
            self._ahead.put(_ahead_key(request, party_id), request.at, answer)

    def decide(self, request: EligibilityRequest, *, uow: UnitOfWork) -> EligibilityDecision:
        local = self._local.decide(request, uow=uow)
        if local.admitted:
            return local
        decider = _Decider(uow, request.tenant_id, self._clock)
        party_id = decider.repo.party_ids([request.member_id]).get(request.member_id)
        if party_id is None:
            return local
        found = self._ahead.take(_ahead_key(request, party_id), request.at)
        if found is None:
            try:
                found = self._benefits.check(_check(request, party_id))
            except BenefitsUnavailable as exc:
                found = exc
        return decider.given(request, local, party_id, found)

    def open_batch(
        self, requests: Sequence[EligibilityRequest], *, uow: UnitOfWork
    ) -> EligibilityBatch:
        return ZhepEligibilityBatch(
            self._local.open_batch(requests, uow=uow),
            requests,
            uow,
            self._benefits,
            self._clock,
            ahead=self._ahead,
        )


class ZhepEligibilityBatch:
    """Local decisions from the local batch; ZPS asked once, for every request of a member
    with a party, the first time one of them is refused locally."""

    def __init__(
        self,
        local: EligibilityBatch,
        requests: Sequence[EligibilityRequest],
        uow: UnitOfWork,
        benefits: BenefitsService,
        clock: Clock,
        *,
        ahead: _Ahead | None = None,
    ) -> None:
        self._local = local
        self._ahead = ahead or _Ahead()
        self._requests = list(requests)
        self._uow = uow
        self._benefits = benefits
        self._clock = clock
        self._deciders: dict[uuid.UUID, _Decider] = {}
        self._parties: dict[uuid.UUID, str] = {}
        for tenant_id in dict.fromkeys(r.tenant_id for r in requests):
            decider = self._decider(tenant_id)
            ids = list(dict.fromkeys(r.member_id for r in requests if r.tenant_id == tenant_id))
            self._parties.update(decider.repo.party_ids(ids))
        self._answers: dict[uuid.UUID, list[tuple[datetime, BenefitAnswer]]] | None = None
        self._unavailable: str | None = None

    def _decider(self, tenant_id: uuid.UUID) -> _Decider:
        found = self._deciders.get(tenant_id)
        if found is None:
            found = self._deciders[tenant_id] = _Decider(self._uow, tenant_id, self._clock)
        return found

    def _ask(self) -> dict[uuid.UUID, list[tuple[datetime, BenefitAnswer]]]:
        wanted = [r for r in self._requests if r.member_id in self._parties]
        answers: dict[uuid.UUID, list[tuple[datetime, BenefitAnswer]]] = {}
        try:
            found = self._benefits.check_many(
                [_check(r, self._parties[r.member_id]) for r in wanted]
            )
        except BenefitsUnavailable as exc:
            self._unavailable = f"ZPS unavailable ({exc})"
            return answers
        latest: dict[uuid.UUID, tuple[EligibilityRequest, BenefitAnswer]] = {}
        for request, answer in zip(wanted, found, strict=True):
            answers.setdefault(request.member_id, []).append((request.at, answer))
            latest[request.member_id] = (request, answer)
        for request, answer in latest.values():
            self._decider(request.tenant_id).repo.remember(request.member_id, answer)
        return answers

    def decide(self, request: EligibilityRequest) -> EligibilityDecision:
        local = self._local.decide(request)
        party_id = self._parties.get(request.member_id)
        if local.admitted or party_id is None:
            return local
        decider = self._decider(request.tenant_id)
        ahead = self._ahead.take(_ahead_key(request, party_id), request.at)
        if ahead is not None:
            return decider.given(request, local, party_id, ahead)
        if self._answers is None:
            self._answers = self._ask()
        answer = _nearest(self._answers.get(request.member_id, []), request.at)
        if answer is None:
            if self._unavailable is None:
                # Not among the batch's requests: ask for this one alone.
                found: BenefitAnswer | BenefitsUnavailable
                try:
                    found = self._benefits.check(_check(request, party_id))
                except BenefitsUnavailable as exc:
                    found = exc
                return decider.given(request, local, party_id, found)
            return decider.unanswered(request, local, party_id, self._unavailable)
        return decider.answered(request, local, answer)

    def admitted(self, membership_id: uuid.UUID, at: datetime) -> None:
        self._local.admitted(membership_id, at)

    def credit_used(self, membership_id: uuid.UUID, *, taken: bool) -> None:
        self._local.credit_used(membership_id, taken=taken)
