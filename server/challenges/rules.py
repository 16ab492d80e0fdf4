"""Pure rules of stored challenges: the pure ``Challenge`` a row stands for, a ledger entry
as the scoring rules read it, how a participant's counted events are stored, and how a
member appears on a board."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from shared.engagement.challenges import Challenge, EngagementEvent, Metric
from shared.movement import LedgerEntry

#: The longest grace a challenge may give late uploads.
MAX_GRACE_DAYS = 14


class TeamBy(StrEnum):
    LOCATION = "location"
    CIRCLE = "circle"
    #: Come with corporate accounts; refused until then.
    COMPANY = "company"
    DEPARTMENT = "department"


#: Team groupings a challenge may use today.
SUPPORTED_TEAMS = frozenset({TeamBy.LOCATION, TeamBy.CIRCLE})


def pure_challenge(
    *,
    challenge_id: uuid.UUID,
    name: str,
    metric: str,
    starts_on: date,
    ends_on: date,
    grace_days: int,
    daily_cap: int | None,
    allow_self_reports: bool,
    target: int | None,
    day_start_hour: int,
) -> Challenge:
    return Challenge(
        id=challenge_id,
        metric=Metric(metric),
        starts_on=starts_on,
        ends_on=ends_on,
        grace=timedelta(days=grace_days),
        daily_cap=daily_cap,
        allow_self_reports=allow_self_reports,
        target=target,
        day_start_hour=day_start_hour,
        name=name,
    )


def event_of(entry: LedgerEntry) -> EngagementEvent:
    """A ledger entry as the scoring rules read it; a void carries its target in ``voids``."""
    return EngagementEvent(
        id=entry.id,
        member_id=entry.member_id,
        occurred_at=entry.occurred_at,
        local_date=entry.local_date,
        kind=entry.kind,
        minutes=entry.minutes,
        intensity=entry.intensity.value,
        provenance=entry.provenance.value,
        recorded_at=entry.recorded_at,
        voids=entry.voids,
        voided=entry.voided or entry.is_void,
    )


def encode(challenge: Challenge, counted: Iterable[EngagementEvent]) -> dict[str, Any]:
    """The counted events by bucket, as JSON: what a participant's state is rebuilt from."""
    buckets: dict[str, list[list[Any]]] = {}
    for event in sorted(counted, key=lambda e: (e.occurred_at, e.id)):
        key = challenge.bucket_of(event.local_date).isoformat()
        buckets.setdefault(key, []).append(
            [
                str(event.id),
                event.occurred_at.isoformat(),
                event.local_date.isoformat(),
                event.kind,
                event.minutes,
                event.intensity,
                event.provenance,
                None if event.recorded_at is None else event.recorded_at.isoformat(),
            ]
        )
    return buckets


def decode(member_id: uuid.UUID, buckets: Mapping[str, Any]) -> list[EngagementEvent]:
    events: list[EngagementEvent] = []
    for items in (buckets or {}).values():
        for ident, at, day, kind, minutes, intensity, provenance, recorded in items:
            events.append(
                EngagementEvent(
                    id=uuid.UUID(ident),
                    member_id=member_id,
                    occurred_at=datetime.fromisoformat(at),
                    local_date=date.fromisoformat(day),
                    kind=kind,
                    minutes=int(minutes),
                    intensity=intensity,
                    provenance=provenance,
                    recorded_at=None if recorded is None else datetime.fromisoformat(recorded),
                )
            )
    return events


def board_name(first_name: str, last_name: str) -> str:
    """A member as others see them on a board: first name and last initial only."""
    initial = last_name.strip()[:1]
    return f"{first_name.strip()} {initial}." if initial else first_name.strip()


def status_of(starts_on: date, ends_on: date, cancelled: bool, today: date) -> str:
    if cancelled:
        return "cancelled"
    if today < starts_on:
        return "upcoming"
    if today > ends_on:
        return "finished"
    return "active"
