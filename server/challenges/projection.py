"""Challenge scores fed from the ledger: the observer the engagement projector calls with
each batch of ledger entries, and the backfill of a member who joins late.

Each participant row keeps the events that count for it, by bucket (local day, or week for
dose-weeks). Applying entries rebuilds the pure ``ChallengeScore`` of that one participant
from those events (a challenge window's worth, never the member's history) and applies the
new entries through it, so caps, windows in the participant's zone, grace, provenance and
voids are decided by the pure rules alone, and a replay from the ledger after ``reset``
ends in the same rows as the incremental path.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from server.challenges import rules
from server.challenges.models import Challenge, ChallengeParticipant
from server.db.uow import UnitOfWork
from server.engagement.models import MovementEvent
from server.engagement.projection import Observed
from server.engagement.repository import MemberDays
from server.engagement.service import entry_of
from server.ports.analytics import PublishedEvent
from shared.engagement.badges import CompletedChallenge
from shared.engagement.challenges import Challenge as PureChallenge
from shared.engagement.challenges import ChallengeScore, EngagementEvent, Participant
from shared.movement import LedgerEntry


@dataclass(frozen=True)
class Step:
    """One participant after some entries."""

    before: int
    after: int
    reached_at: datetime | None
    buckets: dict[str, object]
    completed_on: date | None
    #: The local date the target was crossed on by these entries (None: it was not).
    newly_completed: date | None


def pure_of(row: Challenge, day_start_hour: int) -> PureChallenge:
    return rules.pure_challenge(
        challenge_id=row.id,
        name=row.name,
        metric=row.metric,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        grace_days=row.grace_days,
        daily_cap=row.daily_cap,
        allow_self_reports=row.allow_self_reports,
        target=row.target,
        day_start_hour=day_start_hour,
    )


def advance(
    challenge: PureChallenge,
    participant: ChallengeParticipant,
    events: Iterable[EngagementEvent],
    *,
    fresh: bool = False,
) -> Step:
    """Apply ``events`` to one participant through the pure rules. ``fresh``: start from
    nothing instead of the stored events (a backfill or a rescore)."""
    member_id = participant.member_id
    state = ChallengeScore(challenge, [Participant(member_id, participant.zone, participant.team)])
    counted: dict[uuid.UUID, EngagementEvent] = {}
    if not fresh:
        for event in rules.decode(member_id, participant.buckets):
            if state.apply(event) is None:
                counted[event.id] = event
    before = state.score(member_id).score
    completed_on = None if fresh else participant.completed_on
    newly: date | None = None
    target = challenge.target
    for event in events:
        prior = state.score(member_id).score
        if event.voids is not None:
            counted.pop(event.voids, None)
        if event.voided:
            counted.pop(event.id, None)
        if state.apply(event) is None:
            counted[event.id] = event
        now = state.score(member_id).score
        if target is not None and prior < target <= now:
            completed_on = newly = event.local_date
        elif target is not None and now < target:
            completed_on = None
    final = state.score(member_id)
    return Step(
        before=before,
        after=final.score,
        reached_at=final.reached_at,
        buckets=rules.encode(challenge, counted.values()),
        completed_on=completed_on,
        newly_completed=newly,
    )


def _store(row: ChallengeParticipant, step: Step) -> bool:
    changed = (
        row.score != step.after
        or row.completed_on != step.completed_on
        or (row.buckets or {}) != step.buckets
    )
    if changed:
        row.score = step.after
        row.reached_at = step.reached_at
        row.completed_on = step.completed_on
        row.buckets = step.buckets
    return changed


def _published(
    tenant_id: uuid.UUID, challenge: Challenge, row: ChallengeParticipant, step: Step, now: datetime
) -> list[PublishedEvent]:
    out: list[PublishedEvent] = []
    if step.after != step.before:
        out.append(
            PublishedEvent(
                tenant_id,
                "challenge.score_changed",
                now,
                {
                    "challenge_id": str(challenge.id),
                    "member_id": str(row.member_id),
                    "score": step.after,
                    "previous": step.before,
                },
            )
        )
    if step.newly_completed is not None:
        out.append(
            PublishedEvent(
                tenant_id,
                "challenge.completed",
                now,
                {
                    "challenge_id": str(challenge.id),
                    "member_id": str(row.member_id),
                    "completed_on": step.newly_completed.isoformat(),
                },
            )
        )
    return out


def backfill(
    db: Session,
    tenant_id: uuid.UUID,
    challenge: Challenge,
    participant: ChallengeParticipant,
    day_start_hour: int,
    now: datetime,
) -> list[PublishedEvent]:
    """Score a participant from the ledger as it stands: the member's events inside the
    window (so a late joiner's earlier movement counts). Voids and voided events are left
    out, as a replay skips them."""
    rows = (
        db.execute(
            select(MovementEvent)
            .where(
                MovementEvent.tenant_id == tenant_id,
                MovementEvent.member_id == participant.member_id,
                MovementEvent.local_date >= challenge.starts_on,
                MovementEvent.local_date <= challenge.ends_on,
                MovementEvent.is_void.is_(False),
                MovementEvent.voided_by.is_(None),
            )
            .order_by(MovementEvent.occurred_at, MovementEvent.id)
        )
        .scalars()
        .all()
    )
    pure = pure_of(challenge, day_start_hour)
    step = advance(pure, participant, (rules.event_of(entry_of(r)) for r in rows), fresh=True)
    newly = step.completed_on if participant.completed_on is None else None
    step = replace(step, before=participant.score, newly_completed=newly)
    _store(participant, step)
    return _published(tenant_id, challenge, participant, step, now)


class ChallengeProjection:
    """The ledger observer of challenges (see the module docstring)."""

    def observe(
        self,
        uow: UnitOfWork,
        tenant_id: uuid.UUID,
        entries: Sequence[LedgerEntry],
        now: datetime,
    ) -> Observed:
        if not entries:
            return Observed()
        db = uow.db
        by_member: dict[uuid.UUID, list[EngagementEvent]] = {}
        for entry in entries:
            by_member.setdefault(entry.member_id, []).append(rules.event_of(entry))
        first = min(e.local_date for e in entries)
        last = max(e.local_date for e in entries)
        found = db.execute(
            select(ChallengeParticipant, Challenge)
            .join(
                Challenge,
                and_(
                    Challenge.tenant_id == ChallengeParticipant.tenant_id,
                    Challenge.id == ChallengeParticipant.challenge_id,
                ),
            )
            .where(
                ChallengeParticipant.tenant_id == tenant_id,
                ChallengeParticipant.member_id.in_(list(by_member)),
                Challenge.cancelled_at.is_(None),
                Challenge.starts_on <= last,
                Challenge.ends_on >= first,
            )
        ).all()
        if not found:
            return Observed()
        day_start = MemberDays(db, tenant_id).day_start_hour()
        pures: dict[uuid.UUID, PureChallenge] = {}
        completed: dict[uuid.UUID, list[CompletedChallenge]] = {}
        published: list[PublishedEvent] = []
        for participant, challenge in found:
            pure = pures.get(challenge.id)
            if pure is None:
                pure = pures[challenge.id] = pure_of(challenge, day_start)
            step = advance(pure, participant, by_member[participant.member_id])
            if not _store(participant, step):
                continue
            published.extend(_published(tenant_id, challenge, participant, step, now))
            if step.newly_completed is not None:
                completed.setdefault(participant.member_id, []).append(
                    CompletedChallenge(challenge.id, challenge.name, step.newly_completed)
                )
        db.flush()
        return Observed(
            completed={member: tuple(done) for member, done in completed.items()},
            published=tuple(published),
        )

    def reset(self, uow: UnitOfWork, tenant_id: uuid.UUID) -> None:
        """Every score back to nothing, before the ledger is replayed."""
        uow.db.execute(
            update(ChallengeParticipant)
            .where(ChallengeParticipant.tenant_id == tenant_id)
            .values(score=0, reached_at=None, completed_on=None, buckets={})
            .execution_options(synchronize_session=False)
        )
