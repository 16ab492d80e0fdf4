"""Pure rules of circles: who manages one, who may join it, and who belonged when."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.enums import StaffRole

#: Roles that manage every circle of the locations they see.
MANAGING_ROLES = frozenset({StaffRole.OWNER, StaffRole.MANAGER})


def manages(role: StaffRole | None, staff_id: uuid.UUID, leader_id: uuid.UUID | None) -> bool:
    """Owners and managers manage any circle; a coach only one they lead; front desk none."""
    if role in MANAGING_ROLES:
        return True
    return role is StaffRole.COACH and leader_id == staff_id


def sees_members(role: StaffRole | None, staff_id: uuid.UUID, leader_id: uuid.UUID | None) -> bool:
    """Who is in a circle is personal data: the desk and those who manage circles see it,
    a coach only for the circles they lead."""
    return role is StaffRole.FRONT_DESK or manages(role, staff_id, leader_id)


def may_create(role: StaffRole | None, staff_id: uuid.UUID, leader_id: uuid.UUID | None) -> bool:
    """A coach may create a circle only with themselves as its leader."""
    return manages(role, staff_id, leader_id)


@dataclass(frozen=True, slots=True)
class Stay:
    """One membership of a member in a circle, from ``joined_at`` until ``left_at``
    (exclusive; None: still a member)."""

    member_id: uuid.UUID
    joined_at: datetime
    left_at: datetime | None


def member_at(stay: Stay, moment: datetime) -> bool:
    return stay.joined_at <= moment and (stay.left_at is None or moment < stay.left_at)


def member_during(stay: Stay, start: datetime, end: datetime) -> bool:
    """Whether the stay overlaps the half-open span [start, end)."""
    return stay.joined_at < end and (stay.left_at is None or stay.left_at > start)


def members_at(stays: Iterable[Stay], moment: datetime) -> list[uuid.UUID]:
    """The distinct members of a circle at ``moment``, in the order they joined."""
    return _distinct(s for s in sorted(stays, key=_joined) if member_at(s, moment))


def members_on(stays: Iterable[Stay], day: date, zone: ZoneInfo) -> list[uuid.UUID]:
    """The distinct members at any moment of the calendar ``day`` in ``zone``."""
    start, end = day_span(day, zone)
    return _distinct(s for s in sorted(stays, key=_joined) if member_during(s, start, end))


def day_span(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC span of a local calendar day: from one local midnight to the next, which is
    23 or 25 hours long on the days the clocks change."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def _joined(stay: Stay) -> datetime:
    return stay.joined_at


def _distinct(stays: Iterable[Stay]) -> list[uuid.UUID]:
    seen: dict[uuid.UUID, None] = {}
    for stay in stays:
        seen.setdefault(stay.member_id, None)
    return list(seen)
