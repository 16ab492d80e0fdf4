"""Streaks at risk, computed from the ledger with the pure streak rules.

A stand-in until engagement state is stored per member: it replays each recently active
member's last weeks of movement with ``shared.engagement.streaks.rebuild``. A weekly streak
is at risk when it is running, this week's dose is not met yet, and the week ends within
``WARN_DAYS`` local dates.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select

from server.db.uow import UnitOfWork
from server.engagement.models import MovementEvent
from server.nudges.repository import recipients
from server.nudges.rules import StreakRisk
from server.tenants.models import Tenant
from shared.engagement.dose import Movement
from shared.engagement.streaks import WEEKLY, rebuild
from shared.enums import Intensity
from shared.movement import local_date

#: The ledger's intensities as the dose rules name them (light counts as a session only).
_INTENSITY = {"moderate": Intensity.MODERATE, "vigorous": Intensity.VIGOROUS}
#: How far back the ledger is replayed: longer streaks show as this long at most.
HISTORY = timedelta(weeks=26)
#: Warn on the last days of the week (Friday to Sunday for a Monday week).
WARN_DAYS = 3


def streaks_at_risk(uow: UnitOfWork, tenant_id: uuid.UUID, now: datetime) -> list[StreakRisk]:
    db = uow.db
    rule = WEEKLY
    day_start = db.execute(
        select(Tenant.day_start_hour).where(Tenant.id == tenant_id)
    ).scalar_one_or_none()
    rows = db.execute(
        select(
            MovementEvent.member_id,
            MovementEvent.local_date,
            MovementEvent.minutes,
            MovementEvent.intensity,
            MovementEvent.provenance,
        )
        .where(
            MovementEvent.tenant_id == tenant_id,
            MovementEvent.is_void.is_(False),
            MovementEvent.voided_by.is_(None),
            MovementEvent.occurred_at > now - HISTORY,
            MovementEvent.occurred_at <= now,
        )
        .order_by(MovementEvent.member_id, MovementEvent.occurred_at, MovementEvent.id)
    )
    by_member: dict[uuid.UUID, list[Movement]] = defaultdict(list)
    for member_id, day, minutes, intensity, provenance in rows:
        by_member[member_id].append(
            Movement(day, min(minutes, 600), _INTENSITY.get(intensity, Intensity.LOW), provenance)
        )
    if not by_member:
        return []
    zones = recipients(db, tenant_id, by_member)
    risks = []
    for member_id, movements in by_member.items():
        if member_id not in zones:
            continue
        today = local_date(now, str(zones[member_id].zone), day_start or 0)
        week = rule.period(today)
        ends_on: date = rule.last_day(week)
        if (ends_on - today).days >= WARN_DAYS:
            continue
        view = rebuild(rule, movements).view(today)
        done = sum(
            m.dose().weighted_minutes
            for m in movements
            if rule.first_day(week) <= m.local_date <= ends_on
        )
        if view.current > 0 and done < rule.target_minutes:
            risks.append(
                StreakRisk(
                    member_id, rule.unit.value, view.current, rule.target_minutes - done, ends_on
                )
            )
    return risks
