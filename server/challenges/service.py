"""Use cases of challenges: staff create, change, cancel and list them; members join and
leave; both read the boards. One use case is one transaction; events to publish are
returned for the router to publish once committed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.challenges import rules
from server.challenges.models import Challenge, ChallengeParticipant
from server.challenges.projection import backfill
from server.challenges.repository import ChallengeRepository, ParticipantRepository
from server.challenges.schemas import (
    BoardLine,
    ChallengeCreate,
    ChallengePage,
    ChallengeRead,
    ChallengeUpdate,
    Leaderboard,
    MyChallengePage,
    MyChallengeRead,
    TeamBoardRead,
    TeamLine,
)
from server.circles.models import Circle
from server.circles.repository import MembershipRepository
from server.db.uow import UnitOfWork
from server.engagement.repository import MemberDays
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.members.models import Member
from server.outbox import record as outbox
from server.ports.analytics import PublishedEvent
from server.ports.identity import AccessClaims
from server.tenants.models import Location
from server.tenants.repository import tenant_zone
from shared.clock import utcnow
from shared.engagement.challenges import MemberScore
from shared.engagement.ranking import DEFAULT_MIN_TEAM_SIZE, Entry, team_board
from shared.enums import PrincipalKind
from shared.movement import local_date

#: The scoring fields: changing one rescores every participant from the ledger.
_SCORING = ("ends_on", "grace_days", "daily_cap", "allow_self_reports", "target")


@dataclass(frozen=True)
class Updated:
    answer: ChallengeRead
    published: tuple[PublishedEvent, ...] = ()


@dataclass(frozen=True)
class Joined:
    answer: MyChallengeRead
    published: tuple[PublishedEvent, ...] = ()


def _today(db: Session, claims: AccessClaims, now: datetime) -> date:
    days = MemberDays(db, claims.tenant_id)
    if claims.kind is PrincipalKind.MEMBER:
        zone = days.zone(claims.subject_id, None)
    else:
        zone = tenant_zone(db, claims.tenant_id)
    return local_date(now, zone, days.day_start_hour())


def _read(row: Challenge, today: date, participants: int = 0) -> ChallengeRead:
    status = rules.status_of(row.starts_on, row.ends_on, row.cancelled_at is not None, today)
    return ChallengeRead.model_validate(
        {
            **{c.key: getattr(row, c.key) for c in Challenge.__table__.columns},
            "status": status,
            "participants": participants,
        }
    )


def _check_circle(db: Session, claims: AccessClaims, circle_id: uuid.UUID) -> None:
    """A circle the caller reaches: another location's is not found, as another tenant's."""
    found = db.execute(
        select(Circle.id, Circle.location_id).where(
            Circle.tenant_id == claims.tenant_id,
            Circle.id == circle_id,
            Circle.archived_at.is_(None),
        )
    ).one_or_none()
    if found is None or (found[1] is not None and not claims.sees_location(found[1])):
        raise NotFound(f"circle {circle_id} was not found")


def _check_shape(cmd: ChallengeCreate) -> None:
    if cmd.ends_on < cmd.starts_on:
        raise InvalidInput("ends_on: a challenge cannot end before it starts")
    if cmd.team_by in ("company", "department"):
        raise InvalidInput(
            f"team_by: {cmd.team_by} teams come with corporate accounts, which this "
            "tenant does not have yet; use location or circle",
            code="team_not_supported",
        )
    if cmd.team_by == "circle" and cmd.circle_id is None:
        raise InvalidInput("circle_id: a circle team challenge needs its circle")
    if cmd.metric == "tiles" and not cmd.allow_self_reports:
        raise InvalidInput(
            "allow_self_reports: Movement Tiles are self-reported, so a Tiles challenge "
            "must allow self-reports"
        )


def create_challenge(
    *, uow: UnitOfWork, claims: AccessClaims, cmd: ChallengeCreate
) -> ChallengeRead:
    _check_shape(cmd)
    now = utcnow()
    with uow:
        if cmd.circle_id is not None:
            _check_circle(uow.db, claims, cmd.circle_id)
        row = ChallengeRepository(uow.db, claims.tenant_id).add(
            Challenge(
                name=cmd.name,
                description=cmd.description or None,
                metric=cmd.metric,
                team_by=cmd.team_by,
                starts_on=cmd.starts_on,
                ends_on=cmd.ends_on,
                grace_days=cmd.grace_days,
                daily_cap=cmd.daily_cap,
                allow_self_reports=cmd.allow_self_reports,
                target=cmd.target,
                circle_id=cmd.circle_id,
                created_by=claims.subject_id,
                cancelled_at=None,
            )
        )
        uow.db.flush()
        answer = _read(row, _today(uow.db, claims, now))
        uow.commit()
    return answer


def list_challenges(
    *, uow: UnitOfWork, claims: AccessClaims, status: str | None, limit: int, offset: int
) -> ChallengePage:
    with uow:
        repo = ChallengeRepository(uow.db, claims.tenant_id)
        today = _today(uow.db, claims, utcnow())
        rows = repo.page(status=status, today=today, limit=limit + 1, offset=offset)
        counts = repo.counts([r.id for r in rows[:limit]])
        items = [_read(r, today, counts.get(r.id, 0)) for r in rows[:limit]]
    return ChallengePage(items=items, next_offset=offset + limit if len(rows) > limit else None)


def get_challenge(
    *, uow: UnitOfWork, claims: AccessClaims, challenge_id: uuid.UUID
) -> ChallengeRead:
    with uow:
        row = ChallengeRepository(uow.db, claims.tenant_id).get_or_404(challenge_id)
        count = ParticipantRepository(uow.db, claims.tenant_id).count(challenge_id)
        return _read(row, _today(uow.db, claims, utcnow()), count)


def update_challenge(
    *, uow: UnitOfWork, claims: AccessClaims, challenge_id: uuid.UUID, cmd: ChallengeUpdate
) -> Updated:
    changes = cmd.model_dump(exclude_unset=True)
    for required in ("name", "ends_on", "grace_days", "allow_self_reports"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"{required}: cannot be cleared")
    now = utcnow()
    with uow:
        db = uow.db
        row = ChallengeRepository(db, claims.tenant_id).get_or_404(challenge_id, for_update=True)
        if row.cancelled_at is not None:
            raise Conflict(f"challenge {challenge_id} is cancelled", code="challenge_cancelled")
        ends_on = changes.get("ends_on", row.ends_on)
        if ends_on < row.starts_on:
            raise InvalidInput("ends_on: a challenge cannot end before it starts")
        if row.metric == "tiles" and changes.get("allow_self_reports") is False:
            raise InvalidInput("allow_self_reports: a Tiles challenge must allow self-reports")
        rescore = any(key in changes and changes[key] != getattr(row, key) for key in _SCORING)
        for key, value in changes.items():
            setattr(row, key, value if key != "description" else (value or None))
        published: list[PublishedEvent] = []
        if rescore:
            day_start = MemberDays(db, claims.tenant_id).day_start_hour()
            for participant in ParticipantRepository(db, claims.tenant_id).all_of(row.id):
                published.extend(backfill(db, claims.tenant_id, row, participant, day_start, now))
        db.flush()
        count = ParticipantRepository(db, claims.tenant_id).count(challenge_id)
        answer = _read(row, _today(db, claims, now), count)
        outbox.record(db, published)
        uow.commit()
    return Updated(answer, tuple(published))


def cancel_challenge(
    *, uow: UnitOfWork, claims: AccessClaims, challenge_id: uuid.UUID
) -> ChallengeRead:
    """Cancel: nobody joins it any more and its scores stop moving; its board stays."""
    now = utcnow()
    with uow:
        row = ChallengeRepository(uow.db, claims.tenant_id).get_or_404(
            challenge_id, for_update=True
        )
        if row.cancelled_at is None:
            row.cancelled_at = now
        uow.db.flush()
        answer = _read(row, _today(uow.db, claims, now))
        uow.commit()
    return answer


def _team_of(db: Session, claims: AccessClaims, row: Challenge) -> str | None:
    if row.team_by == rules.TeamBy.CIRCLE:
        return str(row.circle_id)
    if row.team_by == rules.TeamBy.LOCATION:
        home = db.execute(
            select(Member.home_location_id).where(
                Member.tenant_id == claims.tenant_id, Member.id == claims.subject_id
            )
        ).scalar_one_or_none()
        return None if home is None else str(home)
    return None


def _my_read(
    db: Session,
    claims: AccessClaims,
    row: Challenge,
    participant: ChallengeParticipant | None,
    today: date,
) -> MyChallengeRead:
    if participant is None:
        return MyChallengeRead(challenge=_read(row, today), joined=False)
    line = ParticipantRepository(db, claims.tenant_id).line(row.id, claims.subject_id)
    return MyChallengeRead(
        challenge=_read(row, today),
        joined=True,
        score=participant.score,
        rank=None if line is None else int(line.rank),
        completed_on=participant.completed_on,
    )


def join(*, uow: UnitOfWork, claims: AccessClaims, challenge_id: uuid.UUID) -> Joined:
    """Join a challenge and score the member's movement already in its window. Joining
    twice changes nothing."""
    now = utcnow()
    with uow:
        db = uow.db
        row = ChallengeRepository(db, claims.tenant_id).get_or_404(challenge_id)
        participants = ParticipantRepository(db, claims.tenant_id)
        today = _today(db, claims, now)
        existing = participants.get(row.id, claims.subject_id)
        if existing is not None:
            return Joined(_my_read(db, claims, row, existing, today))
        if row.cancelled_at is not None:
            raise Conflict(f"challenge {challenge_id} was cancelled", code="challenge_cancelled")
        if today > row.ends_on:
            raise Conflict(
                f"challenge {challenge_id} finished on {row.ends_on.isoformat()}: "
                "it takes no new participants",
                code="challenge_finished",
            )
        if row.circle_id is not None and not MembershipRepository(db, claims.tenant_id).is_member(
            row.circle_id, claims.subject_id
        ):
            raise Forbidden(
                "this challenge is for the members of a circle: join the circle first",
                code="not_in_circle",
            )
        days = MemberDays(db, claims.tenant_id)
        participant = ChallengeParticipant(
            tenant_id=claims.tenant_id,
            challenge_id=row.id,
            member_id=claims.subject_id,
            team=_team_of(db, claims, row),
            zone=days.zone(claims.subject_id, None),
            joined_at=now,
            score=0,
            reached_at=None,
            completed_on=None,
            buckets={},
        )
        try:
            with db.begin_nested():
                db.add(participant)
                db.flush()
        except IntegrityError:
            # Joined at the same moment by another request: that join is the answer.
            found = participants.get(row.id, claims.subject_id)
            if found is None:
                raise
            return Joined(_my_read(db, claims, row, found, today))
        published = backfill(db, claims.tenant_id, row, participant, days.day_start_hour(), now)
        db.flush()
        answer = _my_read(db, claims, row, participant, today)
        outbox.record(db, published)
        uow.commit()
    return Joined(answer, tuple(published))


def leave(*, uow: UnitOfWork, claims: AccessClaims, challenge_id: uuid.UUID) -> None:
    """Leave a challenge that has not finished; leaving one you are not in changes
    nothing. A finished challenge's board keeps everyone who finished it."""
    with uow:
        db = uow.db
        row = ChallengeRepository(db, claims.tenant_id).get_or_404(challenge_id)
        participant = ParticipantRepository(db, claims.tenant_id).get(row.id, claims.subject_id)
        if participant is None:
            return
        if _today(db, claims, utcnow()) > row.ends_on:
            raise Conflict(
                f"challenge {challenge_id} has finished: its board keeps its participants",
                code="challenge_finished",
            )
        db.delete(participant)
        uow.commit()


def my_challenges(
    *, uow: UnitOfWork, claims: AccessClaims, limit: int, offset: int
) -> MyChallengePage:
    with uow:
        db = uow.db
        today = _today(db, claims, utcnow())
        rows = ChallengeRepository(db, claims.tenant_id).open_or_joined(
            claims.subject_id, today, limit + 1, offset
        )
        items = [_my_read(db, claims, c, p, today) for c, p in rows[:limit]]
    return MyChallengePage(items=items, next_offset=offset + limit if len(rows) > limit else None)


def _visible(db: Session, claims: AccessClaims, challenge_id: uuid.UUID) -> Challenge:
    row = ChallengeRepository(db, claims.tenant_id).get_or_404(challenge_id)
    if claims.kind is PrincipalKind.MEMBER and row.cancelled_at is not None:
        raise NotFound(f"challenge {challenge_id} was not found")
    return row


def _line(found: Any, claims: AccessClaims) -> BoardLine:
    staff = claims.kind is PrincipalKind.STAFF
    return BoardLine(
        rank=int(found.rank),
        name=rules.board_name(found.first_name, found.last_name),
        score=int(found.score),
        reached_at=found.reached_at,
        me=found.member_id == claims.subject_id and not staff,
        member_id=found.member_id if staff else None,
    )


def leaderboard(
    *, uow: UnitOfWork, claims: AccessClaims, challenge_id: uuid.UUID, limit: int, offset: int
) -> Leaderboard:
    with uow:
        db = uow.db
        row = _visible(db, claims, challenge_id)
        participants = ParticipantRepository(db, claims.tenant_id)
        member = claims.subject_id if claims.kind is PrincipalKind.MEMBER else None
        total, found = participants.standing(row.id, member)
        mine = None if found is None else _line(found, claims)
        items = [_line(line, claims) for line in participants.board(row.id, limit, offset)]
    return Leaderboard(
        challenge_id=row.id,
        participants=total,
        items=items,
        next_offset=offset + limit if offset + limit < total else None,
        mine=mine,
    )


def _team_names(
    db: Session, tenant_id: uuid.UUID, row: Challenge, keys: Sequence[str]
) -> dict[str, str]:
    ids = [uuid.UUID(k) for k in keys]
    if not ids:
        return {}
    model: Any = Circle if row.team_by == rules.TeamBy.CIRCLE else Location
    found = db.execute(
        select(model.id, model.name).where(model.tenant_id == tenant_id, model.id.in_(ids))
    ).all()
    return {str(i): name for i, name in found}


def teams(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    challenge_id: uuid.UUID,
    min_team_size: int = DEFAULT_MIN_TEAM_SIZE,
) -> TeamBoardRead:
    """The team board per capita: each team's total over its participants."""
    with uow:
        db = uow.db
        row = _visible(db, claims, challenge_id)
        if row.team_by is None:
            raise Conflict(
                f"challenge {challenge_id} is an individual challenge: it has no teams",
                code="not_a_team_challenge",
            )
        lines = ParticipantRepository(db, claims.tenant_id).team_lines(row.id)
        board = team_board(
            (MemberScore(m, team, score, reached) for m, team, score, reached in lines),
            min_team_size=min_team_size,
        )
        names = _team_names(db, claims.tenant_id, row, list(board.sizes))

    def line(entry: Entry, rank: int | None) -> TeamLine:
        return TeamLine(
            rank=rank,
            team=entry.key,
            name=names.get(entry.key, entry.key),
            size=board.sizes[entry.key],
            total=board.totals[entry.key],
            per_capita=round(float(entry.score), 2),
        )

    return TeamBoardRead(
        challenge_id=row.id,
        min_team_size=min_team_size,
        teams=[line(r.entry, r.rank) for r in board.ranked],
        too_small=[line(e, None) for e in board.too_small],
    )
