"""A member's engagement as they and staff read it (streaks, score, goal, points, badges),
their weekly goal, and streak pauses. Every read first projects the tenant's pending ledger
rows, so a member sees the check-in they just made (unless another process is projecting
at that moment: then they see it a few seconds later)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from server.db.uow import UnitOfWork
from server.engagement.models import BadgeAward, MemberEngagement, StreakPause
from server.engagement.projection import Projector, new_revision, period_minutes, project_pending
from server.engagement.repository import MemberDays
from server.errors import InvalidInput, NotFound
from shared.clock import ensure_utc, utcnow
from shared.engagement import codec
from shared.engagement.adherence import multiplier
from shared.engagement.dose import DayDose, week_start, weekly_dose_ratio
from shared.engagement.goals import (
    GoalKind,
    GoalProgress,
    Suggestion,
    WeeklyGoal,
    progress,
    suggest,
)
from shared.engagement.streaks import MAX_PAUSE_DAYS, StreakState, StreakView
from shared.ids import new_id
from shared.movement import local_date

#: Weeks of dose history shown.
HISTORY = 12
PAUSE_REASONS = ("illness", "travel", "rest")


@dataclass(frozen=True)
class StreakRead:
    current: int
    longest: int
    freezes: int
    at_risk: bool
    #: Moderate-equivalent minutes still needed this period to count it.
    minutes_to_go: int


@dataclass(frozen=True)
class WeekDose:
    week: date
    minutes: int
    sessions: int
    dose: float
    #: The adherence score once that week was counted (the week in progress: as of now).
    score: float


def scores_after(latest: float, doses: list[float], m: float) -> list[float]:
    """The score after each of the weeks of ``doses`` (oldest first), from the score after
    the last of them: each step of ``score_w = score_{w-1}·m + dose_w·(1 − m)`` undone in
    turn. Only the current score is stored; the weekly doses are what moved it."""
    scores = [latest]
    for dose in reversed(doses[1:]):
        before = (scores[-1] - dose * (1 - m)) / m
        scores.append(min(1.0, max(0.0, before)))
    return list(reversed(scores))


@dataclass(frozen=True)
class GoalRead:
    kind: str
    target: int
    done: int
    met: bool
    suggestion: Suggestion | None


@dataclass(frozen=True)
class BadgeRead:
    key: str
    badge: str | None
    points: int
    explanation: str
    earned_on: date


@dataclass(frozen=True)
class EngagementRead:
    member_id: uuid.UUID
    today: date
    daily: StreakRead
    weekly: StreakRead
    score: float
    doses: list[WeekDose]
    goal: GoalRead | None
    points: int
    badges: list[BadgeRead]
    last_active_on: date | None


@dataclass(frozen=True)
class PauseRead:
    id: uuid.UUID
    member_id: uuid.UUID
    starts_on: date
    ends_on: date
    reason: str
    note: str | None


def _streak(state: StreakState, today: date) -> StreakRead:
    view: StreakView = state.view(today)
    done = period_minutes(state, today)
    to_go = max(0, state.rule.target_minutes - done)
    return StreakRead(view.current, view.longest, view.freezes, view.at_risk, to_go)


def _goal(
    kind: str | None, target: int | None, state: codec.MemberState, today: date
) -> GoalRead | None:
    if kind is None or target is None:
        return None
    goal = WeeklyGoal(GoalKind(kind), target)
    first = state.adherence.first_weekday
    totals = {w.week: w for w in state.weeks}

    def of_week(week: date) -> GoalProgress:
        total = totals.get(week, codec.WeekTotal(week))
        return progress(goal, [DayDose(week, total.minutes, 0, total.sessions)])

    this_week = week_start(today, first)
    now = of_week(this_week)
    finished = [of_week(this_week - timedelta(weeks=n)).met for n in (3, 2, 1)]
    return GoalRead(kind, target, now.done, now.met, suggest(goal, finished))


def engagement_of(
    *,
    make_uow: Callable[[], UnitOfWork],
    projector: Projector,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    now: datetime,
) -> EngagementRead:
    with make_uow() as uow:
        if not MemberDays(uow.db, tenant_id).is_member(member_id):
            raise NotFound(f"member {member_id} was not found")
    project_pending(make_uow, tenant_id, projector=projector, most=20_000)
    with make_uow() as uow:
        days = MemberDays(uow.db, tenant_id)
        row = uow.db.execute(
            select(MemberEngagement).where(
                MemberEngagement.tenant_id == tenant_id, MemberEngagement.member_id == member_id
            )
        ).scalar_one_or_none()
        state = codec.decode(row.state) if row is not None and row.state else codec.MemberState()
        zone = state.zone if state.tally.last_active_on else days.zone(member_id, None)
        today = local_date(ensure_utc(now), zone, days.day_start_hour())
        awards = uow.db.execute(
            select(BadgeAward)
            .where(
                BadgeAward.tenant_id == tenant_id,
                BadgeAward.member_id == member_id,
                BadgeAward.badge.is_not(None),
            )
            .order_by(BadgeAward.earned_on, BadgeAward.id)
        ).scalars()
        badges = [BadgeRead(a.key, a.badge, a.points, a.explanation, a.earned_on) for a in awards]
        goal = _goal(row.goal_kind if row else None, row.goal_target if row else None, state, today)
    adherence = state.adherence
    this_week = week_start(today, adherence.first_weekday)
    totals = {w.week: w for w in state.weeks}
    weeks = []
    for n in range(HISTORY - 1, -1, -1):
        week = this_week - timedelta(weeks=n)
        total = totals.get(week, codec.WeekTotal(week))
        weeks.append((week, total, weekly_dose_ratio(total.minutes, adherence.target)))
    scores = scores_after(
        adherence.score_as_of(today), [r for _, _, r in weeks], multiplier(adherence.frequency)
    )
    doses = [
        WeekDose(week, total.minutes, total.sessions, round(ratio, 4), round(score, 4))
        for (week, total, ratio), score in zip(weeks, scores, strict=True)
    ]
    return EngagementRead(
        member_id=member_id,
        today=today,
        daily=_streak(state.daily, today),
        weekly=_streak(state.weekly, today),
        score=round(adherence.score_as_of(today), 4),
        doses=doses,
        goal=goal,
        points=state.points,
        badges=badges,
        last_active_on=state.tally.last_active_on,
    )


#: The weekly goals a member may set, by kind (lowest, highest).
GOAL_RANGE = {GoalKind.SESSIONS: (1, 21), GoalKind.MINUTES: (10, 3000)}


def check_goal(kind: GoalKind, target: int) -> None:
    low, high = GOAL_RANGE[kind]
    if not low <= target <= high:
        raise InvalidInput(
            f"a weekly goal of {kind.value} is {low}–{high}, not {target}",
            code="goal_out_of_range",
        )


def set_goal(
    *, uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, kind: GoalKind, target: int
) -> None:
    """The member's weekly goal; the projector never writes these columns. Commits."""
    check_goal(kind, target)
    with uow:
        dialect = postgresql if uow.db.get_bind().dialect.name == "postgresql" else sqlite
        statement = dialect.insert(MemberEngagement).values(
            tenant_id=tenant_id,
            member_id=member_id,
            state={},
            goal_kind=kind.value,
            goal_target=target,
            updated_at=utcnow(),
            revision=new_revision(),
        )
        uow.db.execute(
            statement.on_conflict_do_update(
                index_elements=["tenant_id", "member_id"],
                set_={
                    "goal_kind": kind.value,
                    "goal_target": target,
                    "revision": statement.excluded.revision,
                },
            )
        )
        uow.commit()


def _pause_read(row: StreakPause) -> PauseRead:
    return PauseRead(row.id, row.member_id, row.starts_on, row.ends_on, row.reason, row.note)


def add_pause(
    *,
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    starts_on: date,
    ends_on: date,
    reason: str,
    note: str | None,
    recorded_by: uuid.UUID | None,
) -> PauseRead:
    """A pause of the member's streaks; the projector hands it to the streak rules in its
    turn. At most 90 days, ending on or after its start. Commits."""
    days = (ends_on - starts_on).days + 1
    if not 1 <= days <= MAX_PAUSE_DAYS:
        raise InvalidInput(
            f"a pause lasts 1 to {MAX_PAUSE_DAYS} days (its end on or after its start), not {days}",
            code="pause_too_long" if days > MAX_PAUSE_DAYS else "pause_ends_before_start",
        )
    if reason not in PAUSE_REASONS:
        raise InvalidInput(f"a pause is for {', '.join(PAUSE_REASONS)}", code="pause_reason")
    with uow:
        if not MemberDays(uow.db, tenant_id).is_member(member_id):
            raise NotFound(f"member {member_id} was not found")
        row = StreakPause(
            tenant_id=tenant_id,
            id=new_id(),
            member_id=member_id,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
            note=note,
            recorded_by=recorded_by,
        )
        uow.db.add(row)
        uow.db.flush()
        read = _pause_read(row)
        uow.commit()
    return read


def pauses_of(
    *, uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[PauseRead], int | None]:
    """A page of the member's pauses, earliest first, and the next page's offset."""
    with uow:
        if not MemberDays(uow.db, tenant_id).is_member(member_id):
            raise NotFound(f"member {member_id} was not found")
        rows = list(
            uow.db.execute(
                select(StreakPause)
                .where(StreakPause.tenant_id == tenant_id, StreakPause.member_id == member_id)
                .order_by(StreakPause.starts_on, StreakPause.id)
                .limit(limit + 1)
                .offset(offset)
            ).scalars()
        )
        items = [_pause_read(r) for r in rows[:limit]]
    return items, offset + limit if len(rows) > limit else None
