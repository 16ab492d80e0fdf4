"""What kiosks hold of members' engagement: each member's daily and weekly streak states and
latest badge, so that the door can show the streak offline and advance it with its own
check-ins (the server's row replaces the kiosk's at the next pull).

The projector writes states with bulk statements, so it sends the rows itself
(:func:`send`), and only for members whose streaks or badges changed: points, the score and
goals are not the door's business, and a kiosk pull per score change would cost volume.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.engagement.models import BadgeAward, MemberEngagement
from server.members.models import Member
from server.sync.changes import record_values
from server.sync.registry import SnapshotScope, SyncRegistry
from server.tenants.models import Tenant
from shared.engagement import codec
from shared.engagement.streaks import StreakState
from shared.sync.messages import TABLE_MEMBER_ENGAGEMENT
from shared.sync.snapshot import SnapshotEngagement

#: A badge older than this is not news at the door.
BADGE_NEWS_DAYS = 7
#: Members quiet for longer than this start a snapshot without a row: every period of their
#: streak states is settled, so a check-in finds the same streak from an empty state.
SNAPSHOT_QUIET_DAYS = 14
_CHUNK = 1000


class KioskEngagement:
    """The synced table's key: rows are sent with :func:`record_values`, never by the ORM
    (``member_engagement`` has no ``id``, and what kiosks get is not its whole row)."""


@dataclass(frozen=True)
class LatestBadge:
    id: uuid.UUID
    badge: str
    explanation: str
    earned_on: date


def _latest_badges(
    db: Session, tenant_id: uuid.UUID, member_ids: list[uuid.UUID], since: date
) -> dict[uuid.UUID, LatestBadge]:
    found: dict[uuid.UUID, LatestBadge] = {}
    for start in range(0, len(member_ids), _CHUNK):
        chunk = member_ids[start : start + _CHUNK]
        rows = db.execute(
            select(
                BadgeAward.member_id,
                BadgeAward.id,
                BadgeAward.badge,
                BadgeAward.explanation,
                BadgeAward.earned_on,
            )
            .where(
                BadgeAward.tenant_id == tenant_id,
                BadgeAward.member_id.in_(chunk),
                BadgeAward.badge.is_not(None),
                BadgeAward.earned_on >= since,
            )
            # The latest last: the dict keeps it (the id breaks ties between same-day badges).
            .order_by(BadgeAward.earned_on, BadgeAward.id)
        )
        for row in rows:
            found[row.member_id] = LatestBadge(row.id, row.badge, row.explanation, row.earned_on)
    return found


def kiosk_row(
    member_id: uuid.UUID,
    daily: StreakState,
    weekly: StreakState,
    day_start_hour: int,
    badge: LatestBadge | None,
) -> dict[str, Any]:
    """A ``SnapshotEngagement`` as JSON, built directly: the projector sends thousands a
    run, and validating each costs more than the rest of sending it."""
    member = str(member_id)
    return {
        "id": member,
        "member_id": member,
        "daily": codec.encode_streak(daily),
        "weekly": codec.encode_streak(weekly),
        "daily_current": daily.current,
        "daily_longest": daily.longest,
        "weekly_current": weekly.current,
        "weekly_longest": weekly.longest,
        "day_start_hour": day_start_hour,
        "badge_id": str(badge.id) if badge else None,
        "badge": badge.badge if badge else None,
        "badge_explanation": badge.explanation if badge else None,
        "badge_on": badge.earned_on.isoformat() if badge else None,
    }


def _day_start_hour(db: Session, tenant_id: uuid.UUID) -> int:
    found = db.execute(select(Tenant.day_start_hour).where(Tenant.id == tenant_id)).scalar()
    return int(found or 0)


def send(
    db: Session,
    tenant_id: uuid.UUID,
    states: Mapping[uuid.UUID, tuple[StreakState, StreakState]],
    now: datetime,
) -> None:
    """Send these members' rows (daily and weekly states, by member) to every kiosk of the
    tenant at commit. Call after the awards are written: the latest badge is read back.
    Archived (and erased) members are no longer on kiosks: nothing is sent about them."""
    states = _current(db, tenant_id, states)
    if not states:
        return
    hour = _day_start_hour(db, tenant_id)
    since = now.date() - timedelta(days=BADGE_NEWS_DAYS + 1)
    db.flush()
    badges = _latest_badges(db, tenant_id, list(states), since)
    for member_id, (daily, weekly) in states.items():
        record_values(
            db,
            KioskEngagement,
            {
                "tenant_id": tenant_id,
                "id": member_id,
                "data": kiosk_row(member_id, daily, weekly, hour, badges.get(member_id)),
            },
        )


def _current(
    db: Session,
    tenant_id: uuid.UUID,
    states: Mapping[uuid.UUID, tuple[StreakState, StreakState]],
) -> Mapping[uuid.UUID, tuple[StreakState, StreakState]]:
    """``states`` without the archived members'."""
    if not states:
        return states
    gone = set(
        db.scalars(
            select(Member.id).where(
                Member.tenant_id == tenant_id,
                Member.id.in_(list(states)),
                Member.archived_at.is_not(None),
            )
        )
    )
    return {m: s for m, s in states.items() if m not in gone} if gone else states


def changed(
    before: Mapping[uuid.UUID, tuple[StreakState, StreakState]],
    after: Iterable[tuple[uuid.UUID, StreakState, StreakState, bool]],
) -> dict[uuid.UUID, tuple[StreakState, StreakState]]:
    """The members whose kiosk row differs: a streak state changed, or a badge was earned
    (``after``: member, daily, weekly, whether the run awarded them a badge)."""
    return {
        member_id: (daily, weekly)
        for member_id, daily, weekly, badged in after
        if badged or before.get(member_id) != (daily, weekly)
    }


def _snapshot(scope: SnapshotScope) -> dict[str, Any]:
    db, tenant_id = scope.db, scope.tenant_id
    today = scope.now.astimezone(scope.tz).date()
    rows = db.execute(
        select(MemberEngagement.member_id, MemberEngagement.state)
        .join(
            Member,
            (Member.tenant_id == MemberEngagement.tenant_id)
            & (Member.id == MemberEngagement.member_id),
        )
        .where(
            MemberEngagement.tenant_id == tenant_id,
            Member.archived_at.is_(None),
            or_(
                MemberEngagement.daily_current > 0,
                MemberEngagement.weekly_current > 0,
                MemberEngagement.last_active_on >= today - timedelta(days=SNAPSHOT_QUIET_DAYS),
            ),
        )
        .order_by(MemberEngagement.member_id)
    ).all()
    hour = _day_start_hour(db, tenant_id)
    since = today - timedelta(days=BADGE_NEWS_DAYS + 1)
    badges = _latest_badges(db, tenant_id, [r.member_id for r in rows], since)
    out = []
    for row in rows:
        if not row.state:
            continue  # a goal set before any movement: no streak yet
        state = codec.decode(row.state)
        out.append(
            SnapshotEngagement.model_validate(
                kiosk_row(row.member_id, state.daily, state.weekly, hour, badges.get(row.member_id))
            )
        )
    return {"member_engagement": out}


def _serialise(row: Any) -> dict[str, Any] | None:
    data: dict[str, Any] | None = row.data
    return data


def register(registry: SyncRegistry) -> None:
    registry.tables.register(TABLE_MEMBER_ENGAGEMENT, KioskEngagement, serialise=_serialise)
    registry.snapshot_parts.append(_snapshot)
