"""The engagement report: how members' streaks and adherence scores are spread, how each
challenge is taken up, which class types bring people back, and members' ratings. Summed
by the database from ``member_engagement``, ``challenge_participants`` and the ledger;
a manager limited to some locations counts only the members at home there (and, for
classes, the classes held there)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from server.bookings.reports import check_period, scope
from server.challenges.models import Challenge, ChallengeParticipant
from server.db.uow import UnitOfWork
from server.engagement import ratings
from server.engagement.models import MemberEngagement, MovementEvent
from server.engagement.repository import MemberDays
from server.members.models import Member
from server.ports.identity import AccessClaims
from server.scheduling.models import ClassSession, SessionType
from server.tenants.repository import tenant_zone
from shared.clock import utcnow
from shared.enums import MovementKind
from shared.movement import local_date

#: Weekly streak groups: (label, lowest, highest or None for no end).
STREAK_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0", 0, 0),
    ("1", 1, 1),
    ("2–3", 2, 3),
    ("4–7", 4, 7),
    ("8+", 8, None),
)
#: Adherence score bands: (label, from, below; None for no upper end).
SCORE_BANDS: tuple[tuple[str, float, float | None], ...] = (
    ("< 0.25", 0.0, 0.25),
    ("0.25–0.5", 0.25, 0.5),
    ("0.5–0.75", 0.5, 0.75),
    ("≥ 0.75", 0.75, None),
)
#: A returning visit counts within this many days after the first class.
RETURN_DAYS = 14
#: Class types with fewer first-time attendees are left out: too few to say anything, and
#: a handful of people could be recognised.
MIN_GROUP = 5


@dataclass(frozen=True)
class Band:
    band: str
    members: int


@dataclass(frozen=True)
class ChallengeUptake:
    challenge_id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date
    joined: int
    active_this_week: int
    completed: int


@dataclass(frozen=True)
class Retention:
    session_type_id: uuid.UUID
    session_type: str
    attendees: int
    returned: int
    share: float


@dataclass(frozen=True)
class EngagementFigures:
    from_day: date
    to_day: date
    week_start: date
    location_id: uuid.UUID | None
    streaks: list[Band]
    scores: list[Band]
    challenges: list[ChallengeUptake]
    retention: list[Retention]
    ratings: list[ratings.RatingLine]


def _members(tenant_id: uuid.UUID, seen: Collection[uuid.UUID] | None) -> Any:
    """Current members (not archived) in scope, with their engagement row if any."""
    conditions = [Member.tenant_id == tenant_id, Member.archived_at.is_(None)]
    if seen is not None:
        conditions.append(Member.home_location_id.in_(list(seen)))
    return and_(*conditions)


def _joined_engagement() -> Any:
    return and_(
        MemberEngagement.tenant_id == Member.tenant_id,
        MemberEngagement.member_id == Member.id,
    )


def _streaks(db: Session, tenant_id: uuid.UUID, seen: Collection[uuid.UUID] | None) -> list[Band]:
    weeks = func.coalesce(MemberEngagement.weekly_current, 0)
    band = case(
        *[
            (weeks >= low if high is None else weeks.between(low, high), label)
            for label, low, high in STREAK_BANDS
        ],
        else_="0",
    )
    query = (
        select(band, func.count())
        .select_from(Member)
        .outerjoin(MemberEngagement, _joined_engagement())
        .where(_members(tenant_id, seen))
        .group_by(band)
    )
    counts: dict[str, int] = {str(k): int(v) for k, v in db.execute(query)}
    return [Band(label, int(counts.get(label, 0))) for label, _, _ in STREAK_BANDS]


def _scores(db: Session, tenant_id: uuid.UUID, seen: Collection[uuid.UUID] | None) -> list[Band]:
    score = func.coalesce(MemberEngagement.score, 0)
    band = case(
        *[
            (score >= low if high is None else score < high, label)
            for label, low, high in SCORE_BANDS
        ],
        else_=SCORE_BANDS[0][0],
    )
    query = (
        select(band, func.count())
        .select_from(Member)
        .outerjoin(MemberEngagement, _joined_engagement())
        .where(_members(tenant_id, seen))
        .group_by(band)
    )
    counts: dict[str, int] = {str(k): int(v) for k, v in db.execute(query)}
    return [Band(label, int(counts.get(label, 0))) for label, _, _ in SCORE_BANDS]


def _live_movement() -> Any:
    return and_(MovementEvent.is_void.is_(False), MovementEvent.voided_by.is_(None))


def _challenges(
    db: Session,
    tenant_id: uuid.UUID,
    seen: Collection[uuid.UUID] | None,
    from_day: date,
    to_day: date,
    week_start: date,
    today: date,
) -> list[ChallengeUptake]:
    """Challenges running at some point of the period (cancelled ones left out)."""
    moved = exists().where(
        MovementEvent.tenant_id == ChallengeParticipant.tenant_id,
        MovementEvent.member_id == ChallengeParticipant.member_id,
        _live_movement(),
        MovementEvent.local_date >= week_start,
        MovementEvent.local_date <= today,
        MovementEvent.local_date >= Challenge.starts_on,
        MovementEvent.local_date <= Challenge.ends_on,
    )
    counted = and_(
        ChallengeParticipant.tenant_id == Challenge.tenant_id,
        ChallengeParticipant.challenge_id == Challenge.id,
    )
    if seen is not None:
        at_home = exists().where(
            Member.tenant_id == ChallengeParticipant.tenant_id,
            Member.id == ChallengeParticipant.member_id,
            Member.home_location_id.in_(list(seen)),
        )
        counted = and_(counted, at_home)
    query = (
        select(
            Challenge.id,
            Challenge.name,
            Challenge.starts_on,
            Challenge.ends_on,
            func.count(ChallengeParticipant.id),
            func.sum(case((moved, 1), else_=0)),
            func.count(ChallengeParticipant.completed_on),
        )
        .select_from(Challenge)
        .outerjoin(ChallengeParticipant, counted)
        .where(
            Challenge.tenant_id == tenant_id,
            Challenge.cancelled_at.is_(None),
            Challenge.starts_on <= to_day,
            Challenge.ends_on >= from_day,
        )
        .group_by(Challenge.id, Challenge.name, Challenge.starts_on, Challenge.ends_on)
        .order_by(Challenge.starts_on.desc(), Challenge.name, Challenge.id)
    )
    return [
        ChallengeUptake(cid, name, starts, ends, int(joined), int(active or 0), int(done))
        for cid, name, starts, ends, joined, active, done in db.execute(query)
    ]


def _retention(
    db: Session,
    tenant_id: uuid.UUID,
    seen: Collection[uuid.UUID] | None,
    from_day: date,
    to_day: date,
) -> list[Retention]:
    """Per class type: of the members who attended it in the period (their first time in
    the period), the share who moved again (any ledger event, another class, the gym
    floor, a Tile …) within the next 14 local days."""
    attended = and_(
        MovementEvent.tenant_id == tenant_id,
        MovementEvent.kind == MovementKind.ATTENDANCE.value,
        MovementEvent.session_id.is_not(None),
        _live_movement(),
        MovementEvent.local_date.between(from_day, to_day),
    )
    query = (
        select(
            ClassSession.session_type_id,
            MovementEvent.member_id,
            func.min(MovementEvent.local_date),
        )
        .select_from(MovementEvent)
        .join(
            ClassSession,
            (ClassSession.tenant_id == MovementEvent.tenant_id)
            & (ClassSession.id == MovementEvent.session_id),
        )
        .where(attended)
        .group_by(ClassSession.session_type_id, MovementEvent.member_id)
    )
    if seen is not None:
        query = query.where(ClassSession.location_id.in_(list(seen)))
    firsts = db.execute(query).all()
    if not firsts:
        return []
    # Each attendee's days of movement after the period's start: one grouped read.
    members = sorted({member for _, member, _ in firsts})
    days: dict[uuid.UUID, set[date]] = defaultdict(set)
    for start in range(0, len(members), 500):
        found = db.execute(
            select(MovementEvent.member_id, MovementEvent.local_date)
            .where(
                MovementEvent.tenant_id == tenant_id,
                MovementEvent.member_id.in_(members[start : start + 500]),
                _live_movement(),
                MovementEvent.local_date > from_day,
                MovementEvent.local_date <= to_day + timedelta(days=RETURN_DAYS),
            )
            .group_by(MovementEvent.member_id, MovementEvent.local_date)
        )
        for member, day in found:
            days[member].add(day)
    groups: dict[uuid.UUID, list[bool]] = defaultdict(list)
    for type_id, member, first in firsts:
        window = {first + timedelta(days=n) for n in range(1, RETURN_DAYS + 1)}
        groups[type_id].append(bool(days[member] & window))
    names: dict[uuid.UUID, str] = {
        type_id: name
        for type_id, name in db.execute(
            select(SessionType.id, SessionType.name).where(
                SessionType.tenant_id == tenant_id, SessionType.id.in_(list(groups))
            )
        )
    }
    lines = [
        Retention(
            session_type_id=type_id,
            session_type=names.get(type_id, "?"),
            attendees=len(came),
            returned=sum(came),
            share=round(sum(came) / len(came), 4),
        )
        for type_id, came in groups.items()
        if len(came) >= MIN_GROUP
    ]
    return sorted(lines, key=lambda r: (-r.share, -r.attendees, r.session_type))


def engagement_report(
    *,
    read_uow: Callable[[], UnitOfWork],
    claims: AccessClaims,
    from_day: date,
    to_day: date,
    location_id: uuid.UUID | None,
) -> EngagementFigures:
    """Streaks and scores as they stand now; challenges running in the period, with who
    moved this week; retention of classes attended in the period; ratings of its classes."""
    check_period(from_day, to_day)
    tenant_id = claims.tenant_id
    with read_uow() as uow:
        db = uow.db
        seen = scope(uow, claims, location_id)
        today = local_date(
            utcnow(), tenant_zone(db, tenant_id), MemberDays(db, tenant_id).day_start_hour()
        )
        week_start = today - timedelta(days=today.weekday())
        figures = EngagementFigures(
            from_day=from_day,
            to_day=to_day,
            week_start=week_start,
            location_id=location_id,
            streaks=_streaks(db, tenant_id, seen),
            scores=_scores(db, tenant_id, seen),
            challenges=_challenges(db, tenant_id, seen, from_day, to_day, week_start, today),
            retention=_retention(db, tenant_id, seen, from_day, to_day),
            ratings=[],
        )
    lines = ratings.ratings_report(
        uow=read_uow(), claims=claims, from_day=from_day, to_day=to_day, location_id=location_id
    )
    return replace(figures, ratings=lines)
