"""Data access of challenges, participants and their boards."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from server.challenges.models import Challenge, ChallengeParticipant
from server.db.repository import TenantRepository
from server.members.models import Member


class ChallengeRepository(TenantRepository[Challenge]):
    model = Challenge
    noun = "challenge"

    def page(
        self, *, status: str | None, today: date, limit: int, offset: int
    ) -> Sequence[Challenge]:
        query = self._select()
        if status == "cancelled":
            query = query.where(Challenge.cancelled_at.is_not(None))
        elif status is not None:
            query = query.where(Challenge.cancelled_at.is_(None))
        if status == "active":
            query = query.where(Challenge.starts_on <= today, Challenge.ends_on >= today)
        elif status == "upcoming":
            query = query.where(Challenge.starts_on > today)
        elif status == "finished":
            query = query.where(Challenge.ends_on < today)
        query = query.order_by(Challenge.starts_on.desc(), Challenge.name, Challenge.id)
        rows: Sequence[Challenge] = (
            self.db.execute(query.limit(limit).offset(offset)).scalars().all()
        )
        return rows

    def open_or_joined(
        self, member_id: uuid.UUID, today: date, limit: int, offset: int
    ) -> Sequence[tuple[Challenge, ChallengeParticipant | None]]:
        """Challenges a member may still join, and those they joined (any state), the
        current ones first."""
        joined = and_(
            ChallengeParticipant.tenant_id == Challenge.tenant_id,
            ChallengeParticipant.challenge_id == Challenge.id,
            ChallengeParticipant.member_id == member_id,
        )
        query = (
            select(Challenge, ChallengeParticipant)
            .outerjoin(ChallengeParticipant, joined)
            .where(Challenge.tenant_id == self.tenant_id)
            .where(
                (ChallengeParticipant.id.is_not(None))
                | (Challenge.cancelled_at.is_(None) & (Challenge.ends_on >= today))
            )
            .order_by(Challenge.ends_on.desc(), Challenge.name, Challenge.id)
            .limit(limit)
            .offset(offset)
        )
        return [(c, p) for c, p in self.db.execute(query).all()]

    def counts(self, challenge_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        if not challenge_ids:
            return {}
        rows = self.db.execute(
            select(ChallengeParticipant.challenge_id, func.count())
            .where(
                ChallengeParticipant.tenant_id == self.tenant_id,
                ChallengeParticipant.challenge_id.in_(list(challenge_ids)),
            )
            .group_by(ChallengeParticipant.challenge_id)
        ).all()
        return {challenge_id: int(n) for challenge_id, n in rows}


@dataclass(frozen=True)
class _Line:
    rank: int
    member_id: uuid.UUID
    score: int
    reached_at: datetime | None
    first_name: str
    last_name: str


class ParticipantRepository:
    def __init__(self, db: Session, tenant_id: uuid.UUID) -> None:
        self.db, self.tenant_id = db, tenant_id

    def _of(self, challenge_id: uuid.UUID) -> tuple[Any, ...]:
        return (
            ChallengeParticipant.tenant_id == self.tenant_id,
            ChallengeParticipant.challenge_id == challenge_id,
        )

    def get(self, challenge_id: uuid.UUID, member_id: uuid.UUID) -> ChallengeParticipant | None:
        found: ChallengeParticipant | None = self.db.execute(
            select(ChallengeParticipant).where(
                *self._of(challenge_id), ChallengeParticipant.member_id == member_id
            )
        ).scalar_one_or_none()
        return found

    def all_of(self, challenge_id: uuid.UUID) -> Sequence[ChallengeParticipant]:
        rows: Sequence[ChallengeParticipant] = (
            self.db.execute(select(ChallengeParticipant).where(*self._of(challenge_id)))
            .scalars()
            .all()
        )
        return rows

    def count(self, challenge_id: uuid.UUID) -> int:
        return int(
            self.db.execute(
                select(func.count())
                .select_from(ChallengeParticipant)
                .where(*self._of(challenge_id))
            ).scalar_one()
        )

    def _order(self) -> tuple[Any, ...]:
        """Best first: a higher score, then whoever reached it first (never: last)."""
        return (
            ChallengeParticipant.score.desc(),
            ChallengeParticipant.reached_at.asc().nulls_last(),
        )

    def _named(self, ranked: Any) -> Any:
        return select(
            ranked.c.rank,
            ranked.c.member_id,
            ranked.c.score,
            ranked.c.reached_at,
            Member.first_name,
            Member.last_name,
        ).join(Member, and_(Member.tenant_id == self.tenant_id, Member.id == ranked.c.member_id))

    def board(self, challenge_id: uuid.UUID, limit: int, offset: int) -> Sequence[Any]:
        """One page of the board with standard competition ranks.

        A line's rank depends only on the lines ahead of it, so ranking just the best
        ``offset + limit`` lines gives the same ranks as ranking everyone, and costs a top-N
        sort instead of ranking the whole challenge.
        """
        top = (
            select(
                ChallengeParticipant.member_id,
                ChallengeParticipant.score,
                ChallengeParticipant.reached_at,
            )
            .where(*self._of(challenge_id))
            .order_by(*self._order(), ChallengeParticipant.member_id)
            .limit(offset + limit)
            .subquery()
        )
        rank = func.rank().over(order_by=(top.c.score.desc(), top.c.reached_at.asc().nulls_last()))
        ranked = select(top, rank.label("rank")).subquery()
        query = (
            self._named(ranked)
            .order_by(ranked.c.rank, ranked.c.member_id)
            .limit(limit)
            .offset(offset)
        )
        return self.db.execute(query).all()

    def standing(
        self, challenge_id: uuid.UUID, member_id: uuid.UUID | None
    ) -> tuple[int, _Line | None]:
        """How many take part, and a participant's own line: their rank is 1 + the lines
        strictly ahead (a higher score, or the same one reached earlier, or reached at all
        when theirs never was). Both counts come from one pass over the board's index."""
        mine = None
        if member_id is not None:
            mine = self.db.execute(
                select(
                    ChallengeParticipant.score,
                    ChallengeParticipant.reached_at,
                    Member.first_name,
                    Member.last_name,
                )
                .join(
                    Member,
                    and_(
                        Member.tenant_id == ChallengeParticipant.tenant_id,
                        Member.id == ChallengeParticipant.member_id,
                    ),
                )
                .where(*self._of(challenge_id), ChallengeParticipant.member_id == member_id)
            ).one_or_none()
        if mine is None:
            return self.count(challenge_id), None
        score = ChallengeParticipant.score
        reached = ChallengeParticipant.reached_at
        sooner = reached.is_not(None) if mine.reached_at is None else reached < mine.reached_at
        ahead = (score > mine.score) | ((score == mine.score) & sooner)
        total, before = self.db.execute(
            select(func.count(), func.count().filter(ahead)).where(*self._of(challenge_id))
        ).one()
        assert member_id is not None
        return int(total), _Line(
            rank=int(before) + 1,
            member_id=member_id,
            score=mine.score,
            reached_at=mine.reached_at,
            first_name=mine.first_name,
            last_name=mine.last_name,
        )

    def line(self, challenge_id: uuid.UUID, member_id: uuid.UUID) -> _Line | None:
        return self.standing(challenge_id, member_id)[1]

    def team_lines(self, challenge_id: uuid.UUID) -> Sequence[Any]:
        return self.db.execute(
            select(
                ChallengeParticipant.member_id,
                ChallengeParticipant.team,
                ChallengeParticipant.score,
                ChallengeParticipant.reached_at,
            ).where(*self._of(challenge_id))
        ).all()
