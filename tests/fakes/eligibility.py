"""An EligibilityService that answers what the test says and remembers every question."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from server.db.uow import UnitOfWork
from server.ports.eligibility import EligibilityDecision, EligibilityRequest

Answer = Callable[[EligibilityRequest], EligibilityDecision]

#: What the fake says by default: no, with a reason no real adapter would give.
REFUSAL = "refused by the fake eligibility service (eligibility-port-check)"


def refuse_everyone(_request: EligibilityRequest) -> EligibilityDecision:
    return EligibilityDecision(admitted=False, reason=REFUSAL)


@dataclass
class FakeBatch:
    owner: FakeEligibility
    requests: list[EligibilityRequest]
    admissions: list[tuple[uuid.UUID, datetime]] = field(default_factory=list)
    credits: list[tuple[uuid.UUID, bool]] = field(default_factory=list)

    def decide(self, request: EligibilityRequest) -> EligibilityDecision:
        return self.owner.ask(request)

    def admitted(self, membership_id: uuid.UUID, at: datetime) -> None:
        self.admissions.append((membership_id, at))

    def credit_used(self, membership_id: uuid.UUID, *, taken: bool) -> None:
        self.credits.append((membership_id, taken))


@dataclass
class FakeEligibility:
    answer: Answer = refuse_everyone
    #: Every request decided, in order, one at a time or in a batch.
    asked: list[EligibilityRequest] = field(default_factory=list)
    batches: list[FakeBatch] = field(default_factory=list)

    def ask(self, request: EligibilityRequest) -> EligibilityDecision:
        self.asked.append(request)
        return self.answer(request)

    remote = False

    def prefetch(self, requests: Sequence[EligibilityRequest], *, uow: UnitOfWork) -> None:
        return None

    def decide(self, request: EligibilityRequest, *, uow: UnitOfWork) -> EligibilityDecision:
        return self.ask(request)

    def open_batch(self, requests: Sequence[EligibilityRequest], *, uow: UnitOfWork) -> FakeBatch:
        batch = FakeBatch(self, list(requests))
        self.batches.append(batch)
        return batch
