"""Helpers of the engagement projection tests: ledger rows written as the door writes them,
the projector run as the job runs it, and a member's stored state."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select

from server.engagement import projection, service
from server.engagement.models import BadgeAward, MemberEngagement, MovementEvent
from server.engagement.projection import LedgerObserver, Observed, Projector
from shared.clock import utcnow
from shared.engagement import codec
from shared.engagement.badges import CompletedChallenge
from shared.enums import MovementKind
from shared.movement import LedgerEntry, MovementIntensity
from tests.integration.bookings_helpers import Studio
from tests.integration.outbox_helpers import recorded


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def move(
    studio: Studio,
    member_id: str,
    day: date,
    *,
    minutes: int = 45,
    intensity: MovementIntensity = MovementIntensity.VIGOROUS,
    kind: MovementKind = MovementKind.ATTENDANCE,
    hour: int = 10,
) -> uuid.UUID:
    """One event inserted as a door check-in inserts it (nothing else done)."""
    with studio.container.uow() as uow:
        published = service.record_movement(
            uow=uow,
            tenant_id=uuid.UUID(studio.tenant_id),
            member_id=uuid.UUID(member_id),
            kind=kind,
            occurred_at=at(day, hour),
            minutes=minutes,
            intensity=intensity,
        )
        uow.commit()
    return uuid.UUID(published.data["movement_event_id"])


def run(studio: Studio, projector: Projector | None = None, limit: int = 2000) -> int:
    container = studio.container
    return projection.project_pending(
        container.uow,
        uuid.UUID(studio.tenant_id),
        projector=projector or container.projector(),
        limit=limit,
    )


def rebuild(studio: Studio, projector: Projector | None = None) -> int:
    container = studio.container
    with container.uow() as uow:
        replayed = (projector or container.projector()).rebuild(
            uow, uuid.UUID(studio.tenant_id), now=utcnow()
        )
        uow.commit()
    return replayed


def state_of(studio: Studio, member_id: str) -> codec.MemberState:
    row = row_of(studio, member_id)
    return codec.decode(row["state"]) if row else codec.MemberState()


def row_of(studio: Studio, member_id: str) -> dict[str, Any] | None:
    with studio.container.uow() as uow:
        row = uow.db.execute(
            select(MemberEngagement).where(
                MemberEngagement.tenant_id == uuid.UUID(studio.tenant_id),
                MemberEngagement.member_id == uuid.UUID(member_id),
            )
        ).scalar_one_or_none()
        if row is None:
            return None
        # The revision is the projector's cache check, new on every write: not content.
        columns = MemberEngagement.__table__.columns
        return {c.key: getattr(row, c.key) for c in columns if c.key != "revision"}


def awards_of(studio: Studio, member_id: str) -> dict[str, tuple[int, str]]:
    with studio.container.uow() as uow:
        rows = uow.db.execute(
            select(BadgeAward).where(
                BadgeAward.tenant_id == uuid.UUID(studio.tenant_id),
                BadgeAward.member_id == uuid.UUID(member_id),
            )
        ).scalars()
        return {r.key: (r.points, r.explanation) for r in rows}


def seqs(studio: Studio) -> list[int | None]:
    with studio.container.uow() as uow:
        return list(
            uow.db.execute(
                select(MovementEvent.projected_seq)
                .where(MovementEvent.tenant_id == uuid.UUID(studio.tenant_id))
                .order_by(MovementEvent.projected_seq)
            ).scalars()
        )


def published(studio: Studio, prefix: str = "engagement.") -> list[Any]:
    return recorded(studio.container, prefix)


class CountingObserver:
    """A small real observer: counts the entries it sees per member, and reports a
    challenge completed by a member's 3rd entry."""

    def __init__(self, challenge_id: uuid.UUID) -> None:
        self.challenge_id = challenge_id
        self.seen: dict[uuid.UUID, int] = {}
        self.resets = 0

    def observe(self, uow: Any, tenant_id: uuid.UUID, entries: Any, now: datetime) -> Observed:
        done: dict[uuid.UUID, tuple[CompletedChallenge, ...]] = {}
        entry: LedgerEntry
        for entry in entries:
            before = self.seen.get(entry.member_id, 0)
            self.seen[entry.member_id] = before + 1
            if before + 1 == 3:
                done[entry.member_id] = (
                    CompletedChallenge(self.challenge_id, "Spring steps", entry.local_date),
                )
        return Observed(completed=done)

    def reset(self, uow: Any, tenant_id: uuid.UUID) -> None:
        self.seen.clear()
        self.resets += 1


def observer_is_a_ledger_observer(observer: CountingObserver) -> LedgerObserver:
    return observer  # mypy checks the protocol here
