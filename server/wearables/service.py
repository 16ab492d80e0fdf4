"""Importing an activity file: read it, drop what was recorded already, and add each kept
workout to the movement ledger as a device-imported event, all in one transaction.

- The same file again (same bytes, by SHA-256, for the same member) answers with the first
  import without reading it.
- Workouts are deduplicated within the file, against the member's earlier imports (the same
  workout from another device, by the rules of ``rules.same_workout``) and against their gym
  visits in the ledger (only the minutes outside a visit count; a workout wholly inside one
  is merged with it and adds nothing).
- Each kept workout's event id is derived from the member and the workout's own id, so a
  workout already in the ledger is never added twice, whichever file brings it.
- A record the ledger refuses (more than the day's plausible total) is skipped with the
  reason; a file that is not what it says stores nothing at all.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from server.db.uow import UnitOfWork
from server.engagement import service as ledger
from server.engagement.models import MovementEvent
from server.engagement.repository import MemberDays
from server.errors import Conflict, NotFound
from server.outbox import record as outbox
from server.ports.analytics import PublishedEvent
from server.wearables import files, rules
from server.wearables.models import ActivityImport
from server.wearables.repository import ActivityImportRepository
from server.wearables.schemas import (
    ActivityType,
    HeartRateZones,
    ImportedActivity,
    SourceFormat,
)
from shared.clock import ensure_utc, utcnow
from shared.enums import MovementKind
from shared.ids import new_id
from shared.movement import Provenance

#: Namespace of imported events' ids: uuid5(namespace, member + the workout's own id).
EVENT_NAMESPACE = uuid.UUID("7f3c2a8e-52d1-4a59-9d1e-4b0c6a1f0e15")
#: How far before a workout a visit that overlaps it may start (a long class, a day pass).
_VISIT_LOOKBACK = timedelta(hours=12)


class Outcome:
    """What became of one record of the file (the report's ``outcome``)."""

    KEPT = "kept"
    MERGED_WITH_VISIT = "merged_with_visit"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Imported:
    row: ActivityImport
    #: False when the same file was imported before: its first import is the answer.
    created: bool
    published: tuple[PublishedEvent, ...] = ()


def event_id_of(member_id: uuid.UUID, activity: ImportedActivity) -> uuid.UUID:
    """The ledger id of a member's imported workout: the same workout, the same id."""
    name = "\x1f".join(
        (str(member_id), activity.source_format.value, activity.source_name, activity.external_id)
    )
    return uuid.uuid5(EVENT_NAMESPACE, name)


def _zones_data(zones: HeartRateZones | None) -> dict[str, float] | None:
    if zones is None:
        return None
    return {
        "zone1": zones.zone1,
        "zone2": zones.zone2,
        "zone3": zones.zone3,
        "zone4": zones.zone4,
        "zone5": zones.zone5,
    }


def _event_data(activity: ImportedActivity, import_id: uuid.UUID) -> dict[str, Any]:
    """What the ledger keeps of a workout: never a heart-rate sample, only zone minutes."""
    return {
        "activity_type": activity.activity_type.value,
        "distance_m": None if activity.distance_m is None else round(activity.distance_m, 1),
        "zone_minutes": _zones_data(activity.heart_rate),
        "start": activity.start.isoformat(),
        "end": activity.end.isoformat(),
        "device": activity.source_name,
        "external_id": activity.external_id,
        "file_minutes": activity.minutes,
        "import_id": str(import_id),
    }


def _earlier(row: MovementEvent) -> ImportedActivity | None:
    """An earlier import's workout, as the dedup rules compare it, from its event's data."""
    data = row.data or {}
    try:
        zones = data.get("zone_minutes")
        return ImportedActivity(
            source_format=SourceFormat(row.source),
            external_id=str(data["external_id"]),
            activity_type=ActivityType(data["activity_type"]),
            start=ensure_utc(datetime.fromisoformat(data["start"])),
            end=ensure_utc(datetime.fromisoformat(data["end"])),
            minutes=int(data.get("file_minutes") or row.minutes),
            source_name=str(data.get("device") or ""),
            distance_m=data.get("distance_m"),
            heart_rate=HeartRateZones(**zones) if isinstance(zones, dict) else None,
        )
    except (KeyError, TypeError, ValueError):
        return None


def _label(activity: ImportedActivity) -> str:
    return f"{activity.activity_type.value} on {activity.start.isoformat()}"


def _line(
    activity: ImportedActivity | None,
    *,
    record: str,
    outcome: str,
    reason: str | None = None,
    counted: int = 0,
    event_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    line: dict[str, Any] = {"record": record, "outcome": outcome, "reason": reason}
    if activity is not None:
        line |= {
            "activity_type": activity.activity_type.value,
            "start": activity.start.isoformat(),
            "end": activity.end.isoformat(),
            "minutes": activity.minutes,
            "counted_minutes": counted,
            "distance_m": None if activity.distance_m is None else round(activity.distance_m),
            "device": activity.source_name,
            "event_id": None if event_id is None else str(event_id),
        }
    return line


def _max_hr(birth: date | None, today: date) -> int | None:
    if birth is None:
        return None
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    try:
        return rules.max_heart_rate(age=age)
    except ValueError:
        return None


def _who(activity: ImportedActivity) -> str:
    return activity.source_name or activity.source_format.value


def _import(
    uow: UnitOfWork,
    repo: ActivityImportRepository,
    row: ActivityImport,
    activities: Sequence[ImportedActivity],
    now: datetime,
) -> tuple[list[dict[str, Any]], list[PublishedEvent]]:
    """The report line of each workout, and what to publish; adds the kept ones."""
    member_id = row.member_id
    lines: list[dict[str, Any]] = []
    published: list[PublishedEvent] = []
    if not activities:
        return lines, published
    since = min(a.start for a in activities) - _VISIT_LOOKBACK
    until = max(a.end for a in activities) + timedelta(seconds=1)
    visits = [
        rules.GymVisit(
            ensure_utc(v.occurred_at), ensure_utc(v.occurred_at) + timedelta(minutes=v.minutes)
        )
        for v in repo.visits(member_id, since, until)
    ]
    imported = repo.imported(member_id, since - timedelta(days=1), until)
    known_ids = {e.id for e in imported}
    earlier = [
        found for e in imported if e.voided_by is None and (found := _earlier(e)) is not None
    ]
    days = MemberDays(uow.db, repo.tenant_id)
    for outcome in rules.deduplicate(activities, gym_visits=visits):
        activity = outcome.activity
        record = _label(activity)
        event_id = event_id_of(member_id, activity)
        if outcome.duplicate_of is not None:
            reason: str | None = (
                f"the same workout as the one from {_who(outcome.duplicate_of)} in this file"
            )
            lines.append(_line(activity, record=record, outcome=Outcome.DUPLICATE, reason=reason))
            continue
        if event_id in known_ids:
            lines.append(
                _line(
                    activity,
                    record=record,
                    outcome=Outcome.DUPLICATE,
                    reason="imported already from an earlier file",
                    event_id=event_id,
                )
            )
            continue
        same = next((e for e in earlier if rules.same_workout(e, activity)), None)
        if same is not None:
            reason = f"the same workout as one imported earlier from {_who(same)}"
            lines.append(_line(activity, record=record, outcome=Outcome.DUPLICATE, reason=reason))
            continue
        counted = outcome.counted_minutes
        if counted <= 0:
            lines.append(
                _line(
                    activity,
                    record=record,
                    outcome=Outcome.MERGED_WITH_VISIT,
                    reason="it happened during a gym visit, which counts already",
                )
            )
            continue
        facts = ledger.MovementFacts(
            member_id=member_id,
            kind=MovementKind.OUTDOOR,
            occurred_at=activity.start,
            minutes=counted,
            intensity=rules.intensity_of(activity),
            provenance=Provenance.DEVICE_IMPORTED,
            source=activity.source_format.value,
            recorded_by=row.uploaded_by,
            data=_event_data(activity, row.id),
        )
        staged = ledger.stage_movement(
            uow=uow, tenant_id=repo.tenant_id, days=days, facts=facts, event_id=event_id, now=now
        )
        if isinstance(staged, str):
            lines.append(_line(activity, record=record, outcome=Outcome.SKIPPED, reason=staged))
            continue
        reason = None
        if outcome.overlaps_gym_visit:
            reason = f"only its {counted} minutes outside a gym visit count"
        lines.append(
            _line(
                activity,
                record=record,
                outcome=Outcome.KEPT,
                reason=reason,
                counted=counted,
                event_id=event_id,
            )
        )
        published.extend(staged.published)
    return lines, published


def import_activity_file(
    *,
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    uploaded_by: uuid.UUID,
    filename: str,
    data: bytes,
    max_unpacked: int,
    now: datetime | None = None,
) -> Imported:
    """Import one file for a member (see the module docstring). Commits."""
    now = now or utcnow()
    sha256 = hashlib.sha256(data).hexdigest()
    with uow:
        repo = ActivityImportRepository(uow.db, tenant_id)
        if not MemberDays(uow.db, tenant_id).hold_day_totals(member_id):
            raise NotFound(f"member {member_id} was not found")
        first = repo.by_file(member_id, sha256)
        if first is not None:
            return Imported(first, created=False)
        max_hr = _max_hr(repo.birth_date(member_id), now.date())
        found, report = files.read_activity_file(
            filename, data, now=now, max_unpacked=max_unpacked, max_hr=max_hr
        )
        row = ActivityImport(
            id=new_id(),
            member_id=member_id,
            filename=filename[:255] or "activity file",
            format=found.value,
            sha256=sha256,
            size=len(data),
            uploaded_at=now,
            uploaded_by=uploaded_by,
        )
        try:
            lines, published = _import(uow, repo, row, report.activities, now)
            lines += [
                _line(None, record=s.record, outcome=Outcome.SKIPPED, reason=s.reason)
                for s in report.skipped
            ]
            row.report = lines
            row.kept = sum(1 for line in lines if line["outcome"] == Outcome.KEPT)
            row.skipped = sum(1 for line in lines if line["outcome"] == Outcome.SKIPPED)
            row.merged = len(lines) - row.kept - row.skipped
            repo.add(row)
            outbox.record(uow.db, published)
            uow.commit()
        except IntegrityError:
            # Another import of this file, or of the same workouts, committed meanwhile.
            uow.db.rollback()
            first = repo.by_file(member_id, sha256)
            if first is not None:
                return Imported(first, created=False)
            raise Conflict(
                "another import of the same workouts finished meanwhile: send the file again "
                "and what it recorded already is left out",
                code="activity_import_conflict",
            ) from None
    return Imported(row, True, tuple(published))


def member_imports(
    *, uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[ActivityImport], int | None]:
    """A page of the member's imports, newest first, and the next page's offset."""
    with uow:
        if not MemberDays(uow.db, tenant_id).is_member(member_id):
            raise NotFound(f"member {member_id} was not found")
        rows = ActivityImportRepository(uow.db, tenant_id).of_member(
            member_id, limit=limit + 1, offset=offset
        )
        items = list(rows[:limit])
    return items, offset + limit if len(rows) > limit else None


def member_import(
    *, uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, import_id: uuid.UUID
) -> ActivityImport:
    """One of the member's imports (another member's is not found)."""
    with uow:
        row = ActivityImportRepository(uow.db, tenant_id).get(import_id)
        if row is None or row.member_id != member_id:
            raise NotFound(f"activity import {import_id} was not found")
    return row
