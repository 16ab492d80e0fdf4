"""Data access of challenges, participants and their boards."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from server.challenges.models import Challenge, ChallengeParticipant
from server.db.repository import TenantRepository
from server.members.models import Member
from server.tenants.models import Location


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

    def _ranked(self, challenge_id: uuid.UUID) -> Any:
        """Every participant with their standard competition rank: a higher score first,
        then whoever reached it first (never reached: last among their score)."""
        rank = func.rank().over(
            order_by=(
                ChallengeParticipant.score.desc(),
                ChallengeParticipant.reached_at.asc().nulls_last(),
            )
        )
        return (
            select(
                ChallengeParticipant.member_id,
                ChallengeParticipant.score,
                ChallengeParticipant.reached_at,
                rank.label("rank"),
            )
            .where(*self._of(challenge_id))
            .subquery()
        )

    def _with_names(self, ranked: Any) -> Any:
        return select(
            ranked.c.rank,
            ranked.c.member_id,
            ranked.c.score,
            ranked.c.reached_at,
            Member.first_name,
            Member.last_name,
        ).join(Member, and_(Member.tenant_id == self.tenant_id, Member.id == ranked.c.member_id))

    def board(self, challenge_id: uuid.UUID, limit: int, offset: int) -> Sequence[Any]:
        ranked = self._ranked(challenge_id)
        query = (
            self._with_names(ranked)
            .order_by(ranked.c.rank, ranked.c.reached_at, ranked.c.member_id)
            .limit(limit)
            .offset(offset)
        )
        return self.db.execute(query).all()

    def line(self, challenge_id: uuid.UUID, member_id: uuid.UUID) -> Any | None:
        ranked = self._ranked(challenge_id)
        query = self._with_names(ranked).where(ranked.c.member_id == member_id)
        return self.db.execute(query).one_or_none()

    def team_lines(self, challenge_id: uuid.UUID) -> Sequence[Any]:
        return self.db.execute(
            select(
                ChallengeParticipant.member_id,
                ChallengeParticipant.team,
                ChallengeParticipant.score,
                ChallengeParticipant.reached_at,
            ).where(*self._of(challenge_id))
        ).all()


def tenant_zone(db: Session, tenant_id: uuid.UUID) -> str:
    """The zone of the tenant's first location (UTC without one): where staff's "today"
    is when they list challenges by state."""
    found = db.execute(
        select(Location.timezone)
        .where(Location.tenant_id == tenant_id)
        .order_by(Location.created_at, Location.id)
        .limit(1)
    ).scalar_one_or_none()
    return found or "UTC"
