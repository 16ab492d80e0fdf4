"""The weekly roll-up: every live enrolment's weeks measured against the ledger.

One grouped query per tenant reads the ledger of all live enrolments at once (per
enrolment, local date, kind, session type and intensity), one reads their pauses; the weeks
are then rolled in memory by ``shared.carepath`` and written back in bulk. It is safe in
several processes at once: the rows it writes are the same whoever computes them, and each
once-only fact (a week closed, the habit point, starting, completing) is a conditional
update that only one process wins, and only the winner publishes it.
"""

from __future__ import annotations

import gc
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, func, insert, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.db.uow import UnitOfWork
from server.engagement.models import MovementEvent
from server.journeys.models import (
    JourneyEnrolment,
    JourneyEnrolmentEvent,
    JourneyEnrolmentWeek,
    JourneyVersion,
)
from server.journeys.rules import week_of, week_starts
from server.members.models import Member
from server.outbox import record as outbox
from server.ports.analytics import PublishedEvent
from server.prescriptions.models import PrescriptionProfile, PrescriptionProfileVersion
from server.scheduling.models import ClassSession, SessionType
from server.tenants.models import Location, Tenant
from server.tenants.repository import tenant_zone
from server.tiles.models import Tile
from shared.carepath.adherence import (
    WeekCounts,
    habit_point_on,
    is_paused_week,
    journey_adherence,
    moderate_equivalent,
    weeks_met,
)
from shared.carepath.enrolment import LIVE, EnrolmentStatus
from shared.carepath.plans import ActivityKind, JourneyPlan, from_json
from shared.carepath.progression import Adjustments, Mix, RolledWeek, roll_weeks
from shared.clock import utcnow
from shared.enums import MovementKind
from shared.ids import new_id
from shared.movement import local_date

_LIVE = sorted(s.value for s in LIVE)
_OUTDOOR = frozenset({MovementKind.OUTDOOR, MovementKind.STAFF_ENTRY, MovementKind.SELF_REPORT})
#: A strength day is a day with any strength activity: a class whose session type's goal
#: or category says strength, a Tile whose prescription profile lists strength among its
#: types, or an imported workout (or any other entry) whose activity type is strength.
_STRENGTH = "strength"
_CHUNK = 1000


@dataclass
class Live:
    """One live enrolment as the roll-up reads it."""

    id: uuid.UUID
    member_id: uuid.UUID
    status: str
    starts_on: date
    plan: JourneyPlan
    adjustments: Adjustments
    zone: str
    habit_point_on: date | None
    today: date = date.min
    #: local date → activities counted (for the habit point)
    by_day: dict[date, int] = field(default_factory=lambda: defaultdict(int))
    #: week → [minutes, sessions, set of strength dates, tiles]
    weeks: dict[int, list[Any]] = field(default_factory=dict)
    paused_from: list[tuple[date, date | None]] = field(default_factory=list)


@dataclass(frozen=True)
class Measured:
    """An enrolment's weeks so far and what they add up to."""

    enrolment: Live
    rolled: list[RolledWeek]
    adherence: float
    weeks_met: int
    habit_point_on: date | None

    @property
    def current_week(self) -> int:
        return week_of(self.enrolment.today, self.enrolment.starts_on)


def adjustments_of(data: dict[str, Any] | None) -> Adjustments:
    data = data or {}
    targets = {int(k): dict(v) for k, v in (data.get("targets") or {}).items()}
    return Adjustments(
        mix=Mix(data.get("mix", Mix.AS_PLANNED)),
        mix_from_week=int(data.get("mix_from_week", 1)),
        targets=targets,
    )


def _permits(
    plan: JourneyPlan, kind: str, session_type_id: uuid.UUID | None, detail: str | None
) -> bool:
    """Whether an activity counts toward the journey; ``detail`` is a Tile's id for a
    Tile."""
    if not plan.permitted:
        return True
    for allowed in plan.permitted:
        if allowed.kind is ActivityKind.SESSION_TYPE:
            found = kind == MovementKind.ATTENDANCE and (
                not allowed.ids or str(session_type_id) in allowed.ids
            )
        elif allowed.kind is ActivityKind.TILE:
            # A journey that names its Tiles counts those only (the Tile id sits in the
            # event's data).
            found = kind == MovementKind.TILE and (not allowed.ids or detail in allowed.ids)
        elif allowed.kind is ActivityKind.OUTDOOR:
            found = kind in _OUTDOOR
        else:
            found = kind == MovementKind.FLOOR_CHECKIN
        if found:
            return True
    return False


def _load_live(db: Session, tenant_id: uuid.UUID, only: Sequence[uuid.UUID] | None) -> list[Live]:
    first_zone = tenant_zone(db, tenant_id)
    statement = (
        select(
            JourneyEnrolment.id,
            JourneyEnrolment.member_id,
            JourneyEnrolment.status,
            JourneyEnrolment.starts_on,
            JourneyEnrolment.adjustments,
            JourneyEnrolment.habit_point_on,
            JourneyEnrolment.version_id,
            Location.timezone,
        )
        .join(
            Member,
            and_(
                Member.tenant_id == JourneyEnrolment.tenant_id,
                Member.id == JourneyEnrolment.member_id,
            ),
        )
        .outerjoin(
            Location,
            and_(Location.tenant_id == Member.tenant_id, Location.id == Member.home_location_id),
        )
        .where(JourneyEnrolment.tenant_id == tenant_id)
    )
    if only is not None:
        statement = statement.where(JourneyEnrolment.id.in_(list(only)))
    else:
        statement = statement.where(JourneyEnrolment.status.in_(_LIVE))
    rows = db.execute(statement).all()
    plans = {
        version_id: from_json(plan)
        for version_id, plan in db.execute(
            select(JourneyVersion.id, JourneyVersion.plan).where(
                JourneyVersion.tenant_id == tenant_id,
                JourneyVersion.id.in_({row.version_id for row in rows}),
            )
        )
    }
    found = []
    for row in rows:
        plan = plans[row.version_id]
        found.append(
            Live(
                id=row.id,
                member_id=row.member_id,
                status=row.status,
                starts_on=row.starts_on,
                plan=plan,
                adjustments=adjustments_of(row.adjustments),
                zone=row.timezone or first_zone,
                habit_point_on=row.habit_point_on,
            )
        )
    return found


def _detail(db: Session, data: Any) -> Any:
    """The event's Tile id, or an imported workout's activity type ("strength", "run"…),
    as text: one column, as no event carries both. The key is written into the SQL, not
    bound: PostgreSQL would see two parameters in the select and the grouping as two
    different expressions."""
    if db.get_bind().dialect.name == "postgresql":
        return func.coalesce(
            data.op("->>")(literal_column("'tile_id'")),
            data.op("->>")(literal_column("'activity_type'")),
        )
    return func.coalesce(
        func.json_extract(data, literal_column("'$.tile_id'")),
        func.json_extract(data, literal_column("'$.activity_type'")),
    )


def _strength_tiles(db: Session, tenant_id: uuid.UUID) -> frozenset[str]:
    """The ids (as text) of the tenant's Tiles whose profile's current version is of the
    strength type."""
    T, P, V = Tile, PrescriptionProfile, PrescriptionProfileVersion
    rows = db.execute(
        select(T.id, V.types)
        .join(P, and_(P.tenant_id == T.tenant_id, P.id == T.profile_id))
        .join(
            V,
            and_(V.tenant_id == P.tenant_id, V.profile_id == P.id, V.version == P.current_version),
        )
        .where(T.tenant_id == tenant_id)
    )
    return frozenset(str(tile_id) for tile_id, types in rows if _STRENGTH in (types or ()))


def _is_strength(
    kind: str, goal: str | None, category: str | None, what: str | None, tiles: frozenset[str]
) -> bool:
    if _STRENGTH in ((goal or "").lower(), (category or "").lower()):
        return True
    if kind == MovementKind.TILE:
        return what in tiles
    return (what or "").lower() == _STRENGTH


def _ledger(
    db: Session, tenant_id: uuid.UUID, enrolments: dict[uuid.UUID, Live], only: bool
) -> None:
    """Fills each enrolment's weeks from one grouped query over the ledger."""
    if not enrolments:
        return
    latest = max(e.today for e in enrolments.values())
    earliest = min(e.starts_on for e in enrolments.values())
    E, M = JourneyEnrolment, MovementEvent
    detail = _detail(db, M.data)
    statement = (
        select(
            # As text: turning tens of thousands of rows' ids into UUID objects costs more
            # than the query.
            cast(E.id, String),
            M.local_date,
            M.kind,
            ClassSession.session_type_id,
            SessionType.primary_goal,
            SessionType.category,
            M.intensity,
            detail,
            func.sum(M.minutes),
            func.count(),
        )
        .select_from(E)
        .join(
            M,
            and_(
                M.tenant_id == E.tenant_id,
                M.member_id == E.member_id,
                M.local_date >= E.starts_on,
            ),
        )
        .outerjoin(
            ClassSession,
            and_(ClassSession.tenant_id == M.tenant_id, ClassSession.id == M.session_id),
        )
        .outerjoin(
            SessionType,
            and_(
                SessionType.tenant_id == ClassSession.tenant_id,
                SessionType.id == ClassSession.session_type_id,
            ),
        )
        .where(
            E.tenant_id == tenant_id,
            M.local_date >= earliest,
            M.local_date <= latest,
            M.is_void.is_(False),
            M.voided_by.is_(None),
        )
        .group_by(
            E.id,
            M.local_date,
            M.kind,
            ClassSession.session_type_id,
            SessionType.primary_goal,
            SessionType.category,
            M.intensity,
            detail,
        )
    )
    if only:
        statement = statement.where(E.id.in_(list(enrolments)))
    else:
        statement = statement.where(E.status.in_(_LIVE))
    hexed = db.get_bind().dialect.name == "sqlite"  # SQLite keeps a UUID as 32 hex digits
    by_text = {(e.hex if hexed else str(e)): found for e, found in enrolments.items()}
    strength_tiles = _strength_tiles(db, tenant_id)
    for row in db.execute(statement):
        eid, day, kind, type_id, goal, category, intensity, what, minutes, count = row
        enrolment = by_text.get(eid)
        if enrolment is None or day > enrolment.today:
            continue
        week = week_of(day, enrolment.starts_on)
        if not 1 <= week <= enrolment.plan.length:
            continue
        if not _permits(enrolment.plan, kind, type_id, what):
            continue
        tally = enrolment.weeks.setdefault(week, [0, 0, set(), 0])
        tally[0] += moderate_equivalent(int(minutes or 0), intensity)
        if kind == MovementKind.TILE:
            tally[3] += count
        else:
            tally[1] += count
        if _is_strength(kind, goal, category, what, strength_tiles):
            tally[2].add(day)
        enrolment.by_day[day] += count


def _pauses(db: Session, tenant_id: uuid.UUID, enrolments: dict[uuid.UUID, Live]) -> None:
    if not enrolments:
        return
    Ev = JourneyEnrolmentEvent
    ids = list(enrolments)
    for start in range(0, len(ids), _CHUNK):
        rows = db.execute(
            select(Ev.enrolment_id, Ev.kind, Ev.at)
            .where(
                Ev.tenant_id == tenant_id,
                Ev.enrolment_id.in_(ids[start : start + _CHUNK]),
                Ev.kind.in_(("paused", "resumed")),
            )
            .order_by(Ev.enrolment_id, Ev.at)
        )
        for eid, kind, at in rows:
            enrolment = enrolments[eid]
            day = local_date(at, enrolment.zone)
            if kind == "paused":
                enrolment.paused_from.append((day, None))
            elif enrolment.paused_from and enrolment.paused_from[-1][1] is None:
                enrolment.paused_from[-1] = (enrolment.paused_from[-1][0], day)


def _paused_days(enrolment: Live, first: date) -> int:
    """Days of the week from ``first`` spent paused (a resumed day counts as active; days
    after today are not counted yet)."""
    last = min(first + timedelta(days=6), enrolment.today)
    total = 0
    for since, until in enrolment.paused_from:
        end = (until - timedelta(days=1)) if until is not None else enrolment.today
        lo, hi = max(since, first), min(end, last)
        if hi >= lo:
            total += (hi - lo).days + 1
    return total


def _measure(enrolment: Live) -> Measured:
    plan, starts = enrolment.plan, enrolment.starts_on
    current = min(plan.length, week_of(enrolment.today, starts))
    counts, paused, closed = {}, {}, {}
    for week in range(1, current + 1):
        tally = enrolment.weeks.get(week)
        if tally is not None:
            counts[week] = WeekCounts(tally[0], tally[1], len(tally[2]), tally[3])
        first = week_starts(starts, week)
        paused[week] = is_paused_week(_paused_days(enrolment, first))
        closed[week] = first + timedelta(days=6) < enrolment.today
    rolled = roll_weeks(
        plan,
        counts,
        paused=paused,
        closed=closed,
        adjustments=enrolment.adjustments,
        through=max(0, current),
    )
    results = [w.result for w in rolled]
    return Measured(
        enrolment=enrolment,
        rolled=rolled,
        adherence=round(journey_adherence(results), 4),
        weeks_met=weeks_met(results),
        habit_point_on=enrolment.habit_point_on
        or habit_point_on(enrolment.by_day, starts, plan.habit_point),
    )


def measure(
    db: Session,
    tenant_id: uuid.UUID,
    now: datetime,
    only: Sequence[uuid.UUID] | None = None,
) -> list[Measured]:
    """Live enrolments' weeks as of ``now`` (or the named enrolments, whatever their status),
    computed, not written."""
    day_start = int(
        db.execute(select(Tenant.day_start_hour).where(Tenant.id == tenant_id)).scalar_one_or_none()
        or 0
    )
    loaded = {e.id: e for e in _load_live(db, tenant_id, only)}
    todays: dict[str, date] = {}
    for enrolment in loaded.values():
        if enrolment.zone not in todays:
            todays[enrolment.zone] = local_date(now, enrolment.zone, day_start)
        enrolment.today = todays[enrolment.zone]
    _ledger(db, tenant_id, loaded, only is not None)
    _pauses(db, tenant_id, loaded)
    return [_measure(e) for e in loaded.values()]


def _week_rows(
    tenant_id: uuid.UUID, measured: Iterable[Measured], now: datetime
) -> list[dict[str, Any]]:
    rows = []
    for m in measured:
        for w in m.rolled:
            t = w.target
            rows.append(
                {
                    "tenant_id": tenant_id,
                    "enrolment_id": m.enrolment.id,
                    "week": w.week,
                    "starts_on": week_starts(m.enrolment.starts_on, w.week),
                    "target": {
                        "minutes": t.minutes,
                        "sessions": t.sessions,
                        "strength_days": t.strength_days,
                        "tiles": t.tiles,
                    },
                    "minutes": w.counts.minutes,
                    "sessions": w.counts.sessions,
                    "strength_days": w.counts.strength_days,
                    "tiles": w.counts.tiles,
                    "dose": round(w.result.dose, 4),
                    "met": w.result.met,
                    "paused": w.result.paused,
                    "closed_at": now if w.result.closed else None,
                }
            )
    return rows


def _upsert_weeks(db: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = db.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
        JourneyEnrolmentWeek.__table__  # type: ignore[arg-type]
    )
    changing = ("target", "minutes", "sessions", "strength_days", "tiles", "dose", "met", "paused")
    table = JourneyEnrolmentWeek
    upsert = statement.on_conflict_do_update(
        index_elements=["tenant_id", "enrolment_id", "week"],
        set_={
            **{name: statement.excluded[name] for name in changing},
            # When a week closed is when it first did.
            "closed_at": func.coalesce(table.closed_at, statement.excluded.closed_at),
        },
    )
    # One statement, many parameter sets: the driver sends them in a batch (a pipeline on
    # PostgreSQL); one many-rowed VALUES instead costs more to build than it saves.
    for start in range(0, len(rows), _CHUNK):
        db.execute(upsert, rows[start : start + _CHUNK])


def _event(tenant_id: uuid.UUID, name: str, now: datetime, **data: Any) -> PublishedEvent:
    return PublishedEvent(
        tenant_id=tenant_id,
        name=name,
        occurred_at=now,
        data={k: (str(v) if isinstance(v, uuid.UUID | date) else v) for k, v in data.items()},
    )


def _system_event(
    tenant_id: uuid.UUID, enrolment_id: uuid.UUID, kind: str, now: datetime, reason: str
) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "id": new_id(),
        "enrolment_id": enrolment_id,
        "kind": kind,
        "at": now,
        "by_kind": "system",
        "by": None,
        "reason": reason,
        "detail": {},
    }


#: The namespace of the roll-up's PostgreSQL advisory locks (one per tenant).
_ROLLUP_LOCKS = 0x4A524E59  # "JRNY"


def _lock(db: Session, tenant_id: uuid.UUID) -> None:
    """One roll-up of a tenant at a time, until this transaction ends: what it reads
    (weeks closed, habit points reached) then stays true until it writes, so each
    once-only fact is published by exactly one process. On PostgreSQL an advisory lock;
    on SQLite a first write takes the database's write lock."""
    if db.get_bind().dialect.name == "postgresql":
        folded = (tenant_id.int ^ (tenant_id.int >> 32) ^ (tenant_id.int >> 64)) & 0x7FFFFFFF
        db.execute(select(func.pg_advisory_xact_lock(_ROLLUP_LOCKS, folded)))
    else:
        db.execute(
            update(JourneyEnrolment)
            .where(JourneyEnrolment.tenant_id == tenant_id, JourneyEnrolment.id.is_(None))
            .values(weeks_met=JourneyEnrolment.weeks_met)
            .execution_options(synchronize_session=False)
        )


def _closed_before(db: Session, tenant_id: uuid.UUID) -> set[tuple[str, int]]:
    """Live enrolments' weeks closed by an earlier roll-up (ids as text, as ``_dashed``)."""
    W, E = JourneyEnrolmentWeek, JourneyEnrolment
    rows = db.execute(
        select(cast(W.enrolment_id, String), W.week)
        .join(E, and_(E.tenant_id == W.tenant_id, E.id == W.enrolment_id))
        .where(W.tenant_id == tenant_id, W.closed_at.is_not(None), E.status.in_(_LIVE))
    )
    return {(_dashed(eid), week) for eid, week in rows}


@contextmanager
def _no_collector_pauses() -> Iterator[None]:
    """The cyclic garbage collector off for a while: a roll-up makes hundreds of thousands
    of short-lived objects, none in cycles (reference counting frees them), and each full
    collection they set off walks the whole process's heap (a third of the roll-up's
    time). Left as it was found; another thread turning it back on early costs speed only."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def rollup_tenant(uow: UnitOfWork, tenant_id: uuid.UUID, now: datetime) -> list[PublishedEvent]:
    """Roll up every live enrolment of a tenant and commit; returns what to publish."""
    with _no_collector_pauses():
        return _rollup_tenant(uow, tenant_id, now)


def _rollup_tenant(uow: UnitOfWork, tenant_id: uuid.UUID, now: datetime) -> list[PublishedEvent]:
    db = uow.db
    _lock(db, tenant_id)
    measured = measure(db, tenant_id, now)
    closed_before = _closed_before(db, tenant_id)
    published: list[PublishedEvent] = []
    history: list[dict[str, Any]] = []
    E = JourneyEnrolment
    # Started: enrolled ones whose start date has come.
    starting = [
        m.enrolment for m in measured if m.enrolment.status == "enrolled" and m.current_week >= 1
    ]
    for chunk in _chunks([e.id for e in starting]):
        db.execute(
            update(E)
            .where(E.tenant_id == tenant_id, E.id.in_(chunk))
            .values(status=EnrolmentStatus.ACTIVE.value, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    for enrolment in starting:
        history.append(_system_event(tenant_id, enrolment.id, "started", now, "it starts today"))
        enrolment.status = EnrolmentStatus.ACTIVE.value
    _upsert_weeks(db, _week_rows(tenant_id, measured, now))
    if measured:
        db.execute(
            update(E).execution_options(synchronize_session=False),
            [
                {
                    "tenant_id": tenant_id,
                    "id": m.enrolment.id,
                    "adherence": m.adherence,
                    "weeks_met": m.weeks_met,
                    "habit_point_on": m.habit_point_on,
                }
                for m in measured
            ],
        )
    for m in measured:
        eid = str(m.enrolment.id)
        for w in m.rolled:
            if w.result.closed and (eid, w.week) not in closed_before:
                published.append(
                    PublishedEvent(
                        tenant_id=tenant_id,
                        name="journey.week_closed",
                        occurred_at=now,
                        data={
                            "enrolment_id": eid,
                            "member_id": str(m.enrolment.member_id),
                            "week": w.week,
                            "dose": round(w.result.dose, 4),
                            "met": w.result.met,
                            "paused": w.result.paused,
                        },
                    )
                )
        if m.enrolment.habit_point_on is None and m.habit_point_on is not None:
            published.append(
                _event(
                    tenant_id,
                    "journey.habit_point",
                    now,
                    enrolment_id=eid,
                    member_id=m.enrolment.member_id,
                    on=m.habit_point_on,
                )
            )
    finished = [
        m
        for m in measured
        if m.enrolment.status == "active" and m.current_week > m.enrolment.plan.length
    ]
    for m in finished:
        ended = week_starts(m.enrolment.starts_on, m.enrolment.plan.length) + timedelta(6)
        db.execute(
            update(E)
            .where(E.tenant_id == tenant_id, E.id == m.enrolment.id)
            .values(status=EnrolmentStatus.COMPLETED.value, ended_on=ended, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        history.append(
            _system_event(tenant_id, m.enrolment.id, "completed", now, "the last week ended")
        )
        published.append(
            _event(
                tenant_id,
                "journey.completed",
                now,
                enrolment_id=m.enrolment.id,
                member_id=m.enrolment.member_id,
                weeks_met=m.weeks_met,
                adherence=m.adherence,
            )
        )
    if history:
        db.execute(insert(JourneyEnrolmentEvent), history)
    outbox.record(db, published)
    uow.commit()
    return published


def _chunks(ids: list[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _dashed(text: str) -> str:
    """A UUID read as text in its canonical form (SQLite keeps 32 hex digits)."""
    if len(text) == 32:
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return text


def tenants_with_live(uow: UnitOfWork) -> list[uuid.UUID]:
    return list(
        uow.db.execute(
            select(JourneyEnrolment.tenant_id).where(JourneyEnrolment.status.in_(_LIVE)).distinct()
        ).scalars()
    )


def rollup_all(
    make_uow: Callable[[], UnitOfWork],
    now: Callable[[], datetime] = utcnow,
) -> int:
    """The background job (and ``zmos journeys rollup``): every tenant with live
    enrolments, one transaction each; returns how many events it recorded."""
    with make_uow() as uow:
        tenants = tenants_with_live(uow)
    total = 0
    for tenant_id in tenants:
        with make_uow() as uow:
            published = rollup_tenant(uow, tenant_id, now())
        total += len(published)
    return total
