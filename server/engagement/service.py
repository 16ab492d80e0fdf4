"""The movement ledger: facts recorded in the caller's transaction, their events added to
the outbox in it. Idempotent by id; a correction or a void is a new event naming the old one."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.uow import UnitOfWork
from server.engagement.models import MovementEvent
from server.engagement.repository import MemberDays, MovementEventRepository
from server.errors import Conflict, InvalidInput, NotFound
from server.outbox import record as outbox
from server.ports.analytics import PublishedEvent
from shared.clock import ensure_utc, utcnow
from shared.enums import MovementKind
from shared.ids import new_id
from shared.movement import (
    FLOOR_CHECKIN_MINUTES,
    MAX_MINUTES_PER_DAY,
    LedgerEntry,
    MovementIntensity,
    MovementSource,
    Provenance,
    local_date,
    movement_refusal,
)


@dataclass(frozen=True)
class MovementFacts:
    """What an event says happened: two events with one id and different facts conflict."""

    member_id: uuid.UUID
    kind: MovementKind
    occurred_at: datetime
    minutes: int = FLOOR_CHECKIN_MINUTES
    intensity: MovementIntensity = MovementIntensity.MODERATE
    provenance: Provenance = Provenance.SCANNER_VERIFIED
    source: str = MovementSource.KIOSK.value
    location_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    checkin_id: uuid.UUID | None = None
    recorded_by: uuid.UUID | None = None
    data: dict[str, Any] = field(default_factory=dict)


def entry_of(row: Any) -> LedgerEntry:
    """A stored event as the rules take it; ``row``: a ``MovementEvent``, or a result row of
    its columns (the projector reads only those)."""
    return LedgerEntry(
        id=row.id,
        member_id=row.member_id,
        kind=row.kind,
        minutes=row.minutes,
        intensity=MovementIntensity(row.intensity),
        provenance=Provenance(row.provenance),
        source=row.source,
        occurred_at=ensure_utc(row.occurred_at),
        local_date=row.local_date,
        zone=row.zone,
        voids=row.voids,
        location_id=row.location_id,
        session_id=row.session_id,
        is_void=row.is_void,
        voided=row.voided_by is not None,
        recorded_at=None if row.recorded_at is None else ensure_utc(row.recorded_at),
    )


def _values(
    days: MemberDays, facts: MovementFacts, event_id: uuid.UUID, voids: uuid.UUID | None
) -> dict[str, Any]:
    """A new event's columns but the tenant's."""
    zone = days.zone(facts.member_id, facts.location_id)
    at = ensure_utc(facts.occurred_at)
    return {
        "id": event_id,
        "member_id": facts.member_id,
        "kind": facts.kind.value,
        "occurred_at": at,
        "location_id": facts.location_id,
        "checkin_id": facts.checkin_id,
        "data": dict(facts.data),
        "minutes": facts.minutes,
        "intensity": facts.intensity.value,
        "provenance": facts.provenance.value,
        "source": facts.source,
        "local_date": local_date(at, zone, days.day_start_hour()),
        "zone": zone,
        "session_id": facts.session_id,
        "voids": voids,
        "voided_by": None,
        "is_void": False,
        "reason": None,
        "recorded_by": facts.recorded_by,
        "recorded_at": utcnow(),
        "projected_seq": None,
    }


def _row(
    days: MemberDays, facts: MovementFacts, event_id: uuid.UUID, voids: uuid.UUID | None
) -> MovementEvent:
    return MovementEvent(**_values(days, facts, event_id, voids))


def movement_row(
    days: MemberDays, facts: MovementFacts, event_id: uuid.UUID | None = None
) -> dict[str, Any]:
    """The columns of a new event, for callers that insert many rows at once (no ORM object
    made: a kiosk push inserts thousands)."""
    return _values(days, facts, event_id or new_id(), None)


def record_movement(
    *,
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    kind: MovementKind,
    occurred_at: datetime,
    location_id: uuid.UUID | None = None,
    checkin_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
    minutes: int = FLOOR_CHECKIN_MINUTES,
    intensity: MovementIntensity = MovementIntensity.MODERATE,
    provenance: Provenance = Provenance.SCANNER_VERIFIED,
    source: str = MovementSource.KIOSK.value,
    session_id: uuid.UUID | None = None,
    days: MemberDays | None = None,
) -> PublishedEvent:
    """Add one event the door or the desk verified to the open unit of work; the caller
    commits, then publishes. Not checked against the day's plausible total: a member was
    admitted, and refusing the movement would refuse the door. ``days``: what the caller
    knows of the member's and the location's zones already."""
    facts = MovementFacts(
        member_id=member_id,
        kind=kind,
        occurred_at=occurred_at,
        minutes=minutes,
        intensity=intensity,
        provenance=provenance,
        source=source,
        location_id=location_id,
        session_id=session_id,
        checkin_id=checkin_id,
        data=data or {},
    )
    row = MovementEventRepository(uow.db, tenant_id).add(
        _row(days or MemberDays(uow.db, tenant_id), facts, new_id(), None)
    )
    return published_of(tenant_id, row)


def _same_facts(row: MovementEvent, facts: MovementFacts) -> bool:
    return (
        row.member_id == facts.member_id
        and row.kind == facts.kind.value
        and ensure_utc(row.occurred_at) == ensure_utc(facts.occurred_at)
        and row.minutes == facts.minutes
        and row.intensity == facts.intensity.value
        and row.location_id == facts.location_id
        and row.session_id == facts.session_id
    )


def _existing(
    repo: MovementEventRepository, event_id: uuid.UUID, facts: MovementFacts
) -> MovementEvent | None:
    row = repo.get(event_id)
    if row is None:
        return None
    if not _same_facts(row, facts):
        raise Conflict(
            f"movement event {event_id} was recorded already with other facts",
            code="movement_event_conflict",
        )
    return row


@dataclass(frozen=True)
class Entered:
    entry: LedgerEntry
    #: False when the id was known already: the first event is the answer.
    created: bool
    published: tuple[PublishedEvent, ...] = ()


def _check(
    repo: MovementEventRepository,
    days: MemberDays,
    facts: MovementFacts,
    now: datetime,
    leaving_out: uuid.UUID | None = None,
) -> None:
    zone = days.zone(facts.member_id, facts.location_id)
    day = local_date(ensure_utc(facts.occurred_at), zone, days.day_start_hour())
    refusal = movement_refusal(
        occurred_at=ensure_utc(facts.occurred_at),
        now=now,
        minutes=facts.minutes,
        minutes_that_day=repo.minutes_on(facts.member_id, day, leaving_out=leaving_out),
    )
    if refusal is not None:
        raise InvalidInput(refusal, code="movement_refused")


def _insert(
    uow: UnitOfWork, repo: MovementEventRepository, row: MovementEvent, facts: MovementFacts
) -> tuple[MovementEvent, bool]:
    """Insert in a savepoint: the same id entered at once by another request loses to the
    first (the key says so) and answers with it."""
    savepoint = uow.db.begin_nested()
    try:
        repo.add(row)
        uow.db.flush()
    except IntegrityError:
        savepoint.rollback()
        found = _existing(repo, row.id, facts)
        if found is None:
            raise
        return found, False
    if row.minutes > 0:
        # Counted again with the row in: on SQLite an entry made at the same moment was
        # invisible to the check before, and only now is the writer's turn ours.
        total = repo.minutes_on(row.member_id, row.local_date)
        if total > MAX_MINUTES_PER_DAY:
            savepoint.rollback()
            refusal = movement_refusal(
                occurred_at=ensure_utc(row.occurred_at),
                now=ensure_utc(row.occurred_at),
                minutes=row.minutes,
                minutes_that_day=total - row.minutes,
            )
            raise InvalidInput(refusal or "too many minutes that day", code="movement_refused")
    savepoint.commit()
    return row, True


def enter_movement(
    *,
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    facts: MovementFacts,
    event_id: uuid.UUID | None = None,
    now: datetime | None = None,
    along: Callable[[UnitOfWork, MovementEvent], None] | None = None,
) -> Entered:
    """A staff entry, an outdoor activity a coach logged or a member's self-report, checked
    (not in the future, minutes not negative, at most the day's plausible total) and
    idempotent by ``event_id``. Commits. ``along``: what another domain records in the same
    transaction for a new event, given its facts (its local date) before it is stored;
    raising there stores nothing."""
    now = now or utcnow()
    with uow:
        repo = MovementEventRepository(uow.db, tenant_id)
        days = MemberDays(uow.db, tenant_id)
        if not days.hold_day_totals(facts.member_id):
            raise NotFound(f"member {facts.member_id} was not found")
        if facts.location_id is not None and not days.is_location(facts.location_id):
            raise NotFound(f"location {facts.location_id} was not found")
        event_id = event_id or new_id()
        found = _existing(repo, event_id, facts)
        if found is not None:
            return Entered(entry_of(found), created=False)
        _check(repo, days, facts, now)
        row = _row(days, facts, event_id, None)
        if along is not None:
            along(uow, row)
        row, created = _insert(uow, repo, row, facts)
        entry = entry_of(row)
        published = (published_of(tenant_id, row),) if created else ()
        outbox.record(uow.db, published)
        uow.commit()
    return Entered(entry, created, published)


def stage_movement(
    *,
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    days: MemberDays,
    facts: MovementFacts,
    event_id: uuid.UUID,
    now: datetime,
) -> Entered | str:
    """Add one checked event to the caller's open transaction without committing, for a
    batch that stands or falls as a whole (an imported file). A known id answers with the
    first event; an event the checks refuse (the day's plausible total, the future) comes
    back as the refusal's words, so the batch can skip that one and go on."""
    repo = MovementEventRepository(uow.db, tenant_id)
    found = _existing(repo, event_id, facts)
    if found is not None:
        return Entered(entry_of(found), created=False)
    try:
        _check(repo, days, facts, now)
    except InvalidInput as refused:
        return refused.detail
    row = repo.add(_row(days, facts, event_id, None))
    uow.db.flush()
    return Entered(entry_of(row), True, (published_of(tenant_id, row),))


def _replace(
    db: Session, repo: MovementEventRepository, old: MovementEvent, new: MovementEvent
) -> MovementEvent:
    """Store ``new`` as the replacement of ``old``: only one replacement wins, so a void or
    correction made meanwhile makes this one a 409."""
    repo.add(new)
    db.flush()
    if not repo.mark_voided(old.id, new.id):
        raise Conflict(
            f"movement event {old.id} was voided or corrected meanwhile",
            code="movement_event_voided",
        )
    return new


def _replaceable(repo: MovementEventRepository, event_id: uuid.UUID) -> MovementEvent:
    old = repo.get_or_404(event_id, for_update=True)
    if old.is_void:
        raise Conflict("a void cannot be voided or corrected", code="movement_event_is_void")
    if old.voided_by is not None:
        raise Conflict(
            f"movement event {event_id} was voided or corrected already "
            f"(by {old.voided_by}): change the latest one",
            code="movement_event_voided",
        )
    return old


def stage_void(
    db: Session,
    tenant_id: uuid.UUID,
    *,
    event_id: uuid.UUID,
    reason: str,
    recorded_by: uuid.UUID | None,
) -> MovementEvent:
    """Add to the open transaction a new event that cancels ``event_id`` and carries no
    movement; the caller commits."""
    repo = MovementEventRepository(db, tenant_id)
    old = _replaceable(repo, event_id)
    void = MovementEvent(
        id=new_id(),
        member_id=old.member_id,
        kind=old.kind,
        occurred_at=old.occurred_at,
        location_id=old.location_id,
        checkin_id=old.checkin_id,
        data={},
        minutes=0,
        intensity=old.intensity,
        provenance=Provenance.STAFF_RECORDED.value,
        source=MovementSource.DESK.value,
        local_date=old.local_date,
        zone=old.zone,
        session_id=old.session_id,
        voids=old.id,
        voided_by=None,
        is_void=True,
        reason=reason,
        recorded_by=recorded_by,
        recorded_at=utcnow(),
    )
    return _replace(db, repo, old, void)


def void_movement(
    *,
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    event_id: uuid.UUID,
    reason: str,
    recorded_by: uuid.UUID | None,
) -> Entered:
    """Cancel an event with a new one that carries no movement. Commits."""
    with uow:
        void = stage_void(
            uow.db, tenant_id, event_id=event_id, reason=reason, recorded_by=recorded_by
        )
        entry = entry_of(void)
        published = published_of(tenant_id, void)
        outbox.record(uow.db, [published])
        uow.commit()
    return Entered(entry, True, (published,))


def stage_correction(
    db: Session,
    tenant_id: uuid.UUID,
    *,
    event_id: uuid.UUID,
    minutes: int | None = None,
    intensity: MovementIntensity | None = None,
    occurred_at: datetime | None = None,
    reason: str | None = None,
    recorded_by: uuid.UUID | None = None,
    provenance: Provenance | None = None,
    source: str | None = None,
    now: datetime | None = None,
) -> MovementEvent:
    """Add to the open transaction a new event that replaces ``event_id``'s facts and voids
    it (the old one keeps its facts and learns who replaced it); the caller commits."""
    now = now or utcnow()
    repo = MovementEventRepository(db, tenant_id)
    days = MemberDays(db, tenant_id)
    old = _replaceable(repo, event_id)
    facts = MovementFacts(
        member_id=old.member_id,
        kind=MovementKind(old.kind),
        occurred_at=occurred_at or old.occurred_at,
        minutes=old.minutes if minutes is None else minutes,
        intensity=intensity or MovementIntensity(old.intensity),
        provenance=provenance or Provenance(old.provenance),
        source=source or old.source,
        location_id=old.location_id,
        session_id=old.session_id,
        checkin_id=old.checkin_id,
        recorded_by=recorded_by,
        data=dict(old.data or {}),
    )
    days.hold_day_totals(old.member_id)
    _check(repo, days, facts, now, leaving_out=old.id)
    row = _row(days, facts, new_id(), old.id)
    row.reason = reason
    return _replace(db, repo, old, row)


def correct_movement(
    *,
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    event_id: uuid.UUID,
    minutes: int | None = None,
    intensity: MovementIntensity | None = None,
    occurred_at: datetime | None = None,
    reason: str | None = None,
    recorded_by: uuid.UUID | None = None,
    provenance: Provenance | None = None,
    source: str | None = None,
    now: datetime | None = None,
) -> Entered:
    """Replace an event's facts with a new event that voids it. Commits."""
    with uow:
        row = stage_correction(
            uow.db,
            tenant_id,
            event_id=event_id,
            minutes=minutes,
            intensity=intensity,
            occurred_at=occurred_at,
            reason=reason,
            recorded_by=recorded_by,
            provenance=provenance,
            source=source,
            now=now,
        )
        entry = entry_of(row)
        published = published_of(tenant_id, row)
        outbox.record(uow.db, [published])
        uow.commit()
    return Entered(entry, True, (published,))


def published_of(tenant_id: uuid.UUID, row: MovementEvent) -> PublishedEvent:
    """What the analytics port is told of a stored movement event."""
    name = "movement.voided" if row.is_void else f"movement.{row.kind}"
    return PublishedEvent(
        tenant_id=tenant_id,
        name=name,
        occurred_at=ensure_utc(row.occurred_at),
        data={
            **(row.data or {}),
            "movement_event_id": str(row.id),
            "member_id": str(row.member_id),
            "location_id": str(row.location_id) if row.location_id else None,
            "checkin_id": str(row.checkin_id) if row.checkin_id else None,
            "session_id": str(row.session_id) if row.session_id else None,
            "kind": row.kind,
            "minutes": row.minutes,
            "intensity": row.intensity,
            "provenance": row.provenance,
            "source": row.source,
            "local_date": row.local_date.isoformat(),
            "zone": row.zone,
            "voids": str(row.voids) if row.voids else None,
        },
    )


def movement_published(*, tenant_id: uuid.UUID, row: dict[str, Any]) -> PublishedEvent:
    """The same, for a row a batch inserted from :func:`movement_row`."""
    return published_of(tenant_id, MovementEvent(**row))


def member_movement(
    *,
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    since: date | None,
    until: date | None,
    kinds: Sequence[str],
    limit: int,
    offset: int,
) -> tuple[list[LedgerEntry], int | None]:
    """A page of the member's events, oldest first, and the next page's offset."""
    with uow:
        if not MemberDays(uow.db, tenant_id).is_member(member_id):
            raise NotFound(f"member {member_id} was not found")
        rows = MovementEventRepository(uow.db, tenant_id).of_member(
            member_id, since=since, until=until, kinds=kinds, limit=limit + 1, offset=offset
        )
        items = [entry_of(row) for row in rows[:limit]]
    return items, offset + limit if len(rows) > limit else None
