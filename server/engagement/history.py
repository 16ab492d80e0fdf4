"""A member's movement history as they read it: counted minutes per week by kind, when in
the day they move, and their latest events (newest first) with how each was recorded."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from server.db.uow import UnitOfWork
from server.engagement.models import MovementEvent
from server.engagement.repository import MemberDays
from server.engagement.service import entry_of
from server.errors import NotFound
from shared.enums import MovementKind
from shared.movement import LedgerEntry

#: Parts of the day by local starting hour; the last runs over midnight to the first.
DAY_PARTS = ((5, "morning"), (12, "afternoon"), (17, "evening"), (22, "night"))


@dataclass(frozen=True)
class KindWeeks:
    kind: str
    #: Counted minutes in each week of ``MovementHistory.weeks``, oldest first.
    minutes: list[int]


@dataclass(frozen=True)
class MovementHistory:
    weeks: list[date]
    by_kind: list[KindWeeks]
    #: Part of the day -> (events, minutes) over the same weeks, in the event's own zone.
    by_part: dict[str, tuple[int, int]]


def part_of_day(hour: int) -> str:
    """The part of the day a local hour falls in: 5–11 morning, 12–16 afternoon, 17–21
    evening, 22–4 night."""
    found = DAY_PARTS[-1][1]
    for start, name in DAY_PARTS:
        if hour >= start:
            found = name
    return found


def movement_history(
    *,
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    first: date,
    today: date,
    weeks: int,
) -> MovementHistory:
    """Counted movement (voids and voided events left out) of the ``weeks`` calendar weeks
    from the one starting on ``first`` (up to ``today``)."""
    starts = [first + timedelta(weeks=n) for n in range(weeks)]
    with uow:
        if not MemberDays(uow.db, tenant_id).is_member(member_id):
            raise NotFound(f"member {member_id} was not found")
        rows = uow.db.execute(
            select(
                MovementEvent.kind,
                MovementEvent.local_date,
                MovementEvent.occurred_at,
                MovementEvent.zone,
                MovementEvent.minutes,
            ).where(
                MovementEvent.tenant_id == tenant_id,
                MovementEvent.member_id == member_id,
                MovementEvent.local_date >= first,
                MovementEvent.local_date <= today,
                MovementEvent.is_void.is_(False),
                MovementEvent.voided_by.is_(None),
            )
        ).all()
    minutes: dict[str, list[int]] = defaultdict(lambda: [0] * weeks)
    parts: dict[str, list[int]] = {name: [0, 0] for _, name in DAY_PARTS}
    zones: dict[str, ZoneInfo] = {}
    for kind, day, at, zone, counted in rows:
        minutes[kind][(day - first).days // 7] += counted
        if zone not in zones:
            zones[zone] = ZoneInfo(zone)
        local = at.replace(tzinfo=at.tzinfo or ZoneInfo("UTC")).astimezone(zones[zone])
        part = parts[part_of_day(local.hour)]
        part[0] += 1
        part[1] += counted
    by_kind = [KindWeeks(k.value, minutes[k.value]) for k in MovementKind if k.value in minutes]
    return MovementHistory(starts, by_kind, {name: (n, m) for name, (n, m) in parts.items()})


def recent_movement(
    *, uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[LedgerEntry], int]:
    """A page of the member's events, newest first, voids and corrections included, and how
    many there are in all."""
    with uow:
        if not MemberDays(uow.db, tenant_id).is_member(member_id):
            raise NotFound(f"member {member_id} was not found")
        mine = (MovementEvent.tenant_id == tenant_id, MovementEvent.member_id == member_id)
        total = uow.db.execute(select(func.count()).select_from(MovementEvent).where(*mine))
        count = int(total.scalar_one())
        rows = (
            uow.db.execute(
                select(MovementEvent)
                .where(*mine)
                .order_by(MovementEvent.occurred_at.desc(), MovementEvent.id.desc())
                .limit(limit)
                .offset(offset)
            )
            .scalars()
            .all()
        )
        return [entry_of(row) for row in rows], count
