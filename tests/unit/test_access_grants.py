"""Token generations remembered per process: a look-up per request, a query per account
once what was read expires, and a change forgotten at once by the process that made it."""

from __future__ import annotations

import uuid

from server.db.uow import UnitOfWork
from server.ports.identity import AccessClaims
from server.signins.grants import CachedGrants
from shared.enums import PrincipalKind, StaffRole
from tests.fakes.uow import FakeUnitOfWork


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _setup() -> tuple[CachedGrants, dict[uuid.UUID, int | None], list[uuid.UUID], Clock]:
    generations: dict[uuid.UUID, int | None] = {}
    reads: list[uuid.UUID] = []

    def generation_of(_uow: UnitOfWork, _tenant: uuid.UUID, subject: uuid.UUID) -> int | None:
        reads.append(subject)
        return generations.get(subject)

    clock = Clock()
    grants = CachedGrants(
        FakeUnitOfWork, {PrincipalKind.STAFF: generation_of}, ttl_seconds=1.0, clock=clock
    )
    return grants, generations, reads, clock


def _staff(subject: uuid.UUID, generation: int = 0) -> AccessClaims:
    return AccessClaims(
        kind=PrincipalKind.STAFF,
        subject_id=subject,
        tenant_id=uuid.UUID(int=1),
        role=StaffRole.MANAGER,
        generation=generation,
    )


def test_a_remembered_generation_needs_no_query_until_it_expires() -> None:
    grants, generations, reads, clock = _setup()
    subject = uuid.uuid4()
    generations[subject] = 0
    claims = _staff(subject)
    assert grants.verdict(claims) is None
    assert grants.load(claims) is True
    for _ in range(100):
        assert grants.verdict(claims) is True
    assert reads == [subject]
    # Another process moved the generation on: seen once the second is over.
    generations[subject] = 1
    assert grants.verdict(claims) is True
    clock.now += 1.0
    assert grants.verdict(claims) is None
    assert grants.load(claims) is False
    assert grants.verdict(claims) is False
    assert grants.verdict(_staff(subject, generation=1)) is True


def test_a_change_in_this_process_is_forgotten_at_once() -> None:
    grants, generations, _, _ = _setup()
    subject = uuid.uuid4()
    generations[subject] = 0
    claims = _staff(subject)
    assert grants.load(claims) is True
    generations[subject] = None  # deactivated
    grants.forget(PrincipalKind.STAFF, claims.tenant_id, subject)
    assert grants.verdict(claims) is None
    assert grants.load(claims) is False


def test_a_load_that_raced_a_change_does_not_put_back_the_old_generation() -> None:
    generations: dict[uuid.UUID, int | None] = {}
    subject = uuid.uuid4()
    generations[subject] = 0
    holder: list[CachedGrants] = []

    def generation_of(_uow: UnitOfWork, tenant: uuid.UUID, who: uuid.UUID) -> int | None:
        read = generations[who]
        # The change commits and is forgotten while this read is in flight.
        generations[who] = 1
        holder[0].forget(PrincipalKind.STAFF, tenant, who)
        return read

    grants = CachedGrants(FakeUnitOfWork, {PrincipalKind.STAFF: generation_of})
    holder.append(grants)
    claims = _staff(subject)
    assert grants.load(claims) is True  # this request began before the change
    assert grants.verdict(claims) is None  # but the stale answer was not remembered


def test_kinds_without_a_generation_pass() -> None:
    grants, _, reads, _ = _setup()
    device = AccessClaims(
        kind=PrincipalKind.DEVICE, subject_id=uuid.uuid4(), tenant_id=uuid.uuid4()
    )
    assert grants.verdict(device) is True
    assert grants.load(device) is True
    assert reads == []
