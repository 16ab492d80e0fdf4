"""Recurring schedules: create a series, edit its future, end it early.

A series materialises every instance up to ``ends_on`` when it is created (instances already
in the past are not made). An edit reconciles the *future* instances that still follow the
series (not started, not detached by a change of their own) with what the series now says:

* a changed time or duration moves them (booked members are told),
* a changed capacity is applied with a conditional update; one below what an instance has
  booked refuses the whole edit (409) and nothing changes,
* days no longer in the series are cancelled (bookings released, members told),
* days new to the series get instances (a day the series had cancelled comes back).

An instance whose new time would already be in the past counts as a day no longer in it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput
from server.ports.identity import AccessClaims
from server.scheduling import instructors
from server.scheduling.hours import hours_warnings
from server.scheduling.models import ClassSession, Schedule
from server.scheduling.repository import ScheduleRepository, SessionRepository
from server.scheduling.rules import Occurrence, OnMissingTime, expand, series_problems
from server.scheduling.schemas import (
    ScheduleCreate,
    ScheduleEdited,
    ScheduleEnd,
    SchedulePage,
    ScheduleRead,
    ScheduleUpdate,
    SeriesChanges,
)
from server.scheduling.service import (
    active_type_or_error,
    check_leaders,
    location_or_404,
    place_times,
    set_capacity,
    zone_of,
)
from server.scheduling.session_bookings import SessionBookings
from server.scheduling.sessions import cancel_row
from server.tenants.models import Location
from shared.clock import utcnow
from shared.enums import SessionStatus
from shared.ids import new_id

REMOVED = "no longer part of the series"


def schedule_read(row: Schedule, zone: str) -> ScheduleRead:
    return ScheduleRead(
        id=row.id,
        location_id=row.location_id,
        session_type_id=row.session_type_id,
        instructor_id=row.instructor_id,
        weekdays=list(row.weekdays),
        local_start=row.local_start,
        timezone=zone,
        duration_minutes=row.duration_minutes,
        capacity=row.capacity,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        except_dates=[date.fromisoformat(d) for d in row.except_dates or []],
        room=row.room,
        on_missing_time=OnMissingTime(row.on_missing_time),
        ended_at=row.ended_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _wall_clock(at: time) -> time:
    if at.tzinfo is not None:
        raise InvalidInput("local_start is a wall-clock time in the location's zone: no offset")
    return at.replace(second=0, microsecond=0)


def _check(row: Schedule) -> None:
    problems = series_problems(
        weekdays=row.weekdays,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        except_dates=[date.fromisoformat(d) for d in row.except_dates or []],
    )
    if problems:
        raise InvalidInput("; ".join(problems), code="invalid_series")


def _future(row: Schedule, zone: str, now: datetime) -> dict[date, Occurrence]:
    return {o.on: o for o in _occurrences(row, zone) if o.starts_at > now}


def _past_days(row: Schedule, zone: str, now: datetime) -> set[date]:
    """The series' days whose start has passed: never created, so said as skipped."""
    return {o.on for o in _occurrences(row, zone) if o.starts_at <= now}


def _occurrences(row: Schedule, zone: str) -> list[Occurrence]:
    found = expand(
        weekdays=row.weekdays,
        local_start=row.local_start,
        duration_minutes=row.duration_minutes,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        except_dates=[date.fromisoformat(d) for d in row.except_dates or []],
        zone=zone,
        on_missing=OnMissingTime(row.on_missing_time),
    )
    return list(found)


def _instance(row: Schedule, occurrence: Occurrence, zone: str) -> ClassSession:
    session = ClassSession(
        id=new_id(),
        tenant_id=row.tenant_id,
        location_id=row.location_id,
        session_type_id=row.session_type_id,
        schedule_id=row.id,
        occurrence_date=occurrence.on,
        instructor_id=row.instructor_id,
        capacity=row.capacity,
        confirmed_count=0,
        waitlist_count=0,
        next_position=1,
        room=row.room,
        status=SessionStatus.SCHEDULED.value,
        detached=False,
        sequence=0,
    )
    place_times(session, occurrence.starts_at, row.duration_minutes, zone)
    return session


def future_instances(row: Schedule, zone: str, now: datetime) -> list[ClassSession]:
    """The instances a series created now makes: its days still to start (a series imported
    from another system too; its past is that system's dated history)."""
    return [_instance(row, o, zone) for o in _future(row, zone, now).values()]


def create_schedule(
    *, uow: UnitOfWork, claims: AccessClaims, cmd: ScheduleCreate
) -> ScheduleEdited:
    with uow:
        location = location_or_404(uow, claims, cmd.location_id)
        kind = active_type_or_error(uow, claims.tenant_id, cmd.session_type_id)
        if cmd.instructor_id is not None:
            check_leaders(uow, claims.tenant_id, [cmd.instructor_id])
        row = Schedule(
            id=new_id(),
            location_id=location.id,
            session_type_id=kind.id,
            instructor_id=cmd.instructor_id,
            weekdays=sorted(set(cmd.weekdays)),
            local_start=_wall_clock(cmd.local_start),
            duration_minutes=cmd.duration_minutes or kind.duration_minutes,
            capacity=cmd.capacity or kind.default_capacity,
            starts_on=cmd.starts_on,
            ends_on=cmd.ends_on,
            except_dates=sorted({d.isoformat() for d in cmd.except_dates}),
            room=cmd.room,
            on_missing_time=cmd.on_missing_time.value,
        )
        _check(row)
        ScheduleRepository(uow.db, claims.tenant_id).add(row)
        now = utcnow()
        instances = [
            _instance(row, o, location.timezone)
            for o in _future(row, location.timezone, now).values()
        ]
        uow.db.add_all(instances)
        instructors.check_sessions(uow, claims.tenant_id, instances)
        warnings = hours_warnings(uow, location, instances)
        uow.commit()
        skipped = len(_past_days(row, location.timezone, now))
        return ScheduleEdited(
            schedule=schedule_read(row, location.timezone),
            changes=SeriesChanges(created=len(instances), skipped_past=skipped),
            warnings=warnings,
        )


def list_schedules(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    location_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> SchedulePage:
    with uow:
        rows = ScheduleRepository(uow.db, claims.tenant_id).search(
            location_id=location_id,
            limit=limit + 1,
            offset=offset,
            location_ids=claims.location_ids,
        )
        return SchedulePage(
            items=[
                schedule_read(r, zone_of(uow, claims.tenant_id, r.location_id))
                for r in rows[:limit]
            ],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def get_schedule(*, uow: UnitOfWork, claims: AccessClaims, schedule_id: uuid.UUID) -> ScheduleRead:
    with uow:
        row = ScheduleRepository(uow.db, claims.tenant_id).get_or_404(schedule_id)
        return schedule_read(row, zone_of(uow, claims.tenant_id, row.location_id))


_REQUIRED = (
    "weekdays",
    "local_start",
    "duration_minutes",
    "capacity",
    "starts_on",
    "ends_on",
    "except_dates",
    "on_missing_time",
)


def update_schedule(
    *,
    uow: UnitOfWork,
    bookings: SessionBookings,
    claims: AccessClaims,
    schedule_id: uuid.UUID,
    cmd: ScheduleUpdate,
) -> ScheduleEdited:
    changes = cmd.model_dump(exclude_unset=True)
    for field in _REQUIRED:
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field} cannot be empty")
    with uow:
        row = ScheduleRepository(uow.db, claims.tenant_id).get_or_404(schedule_id, for_update=True)
        if row.ended_at is not None:
            raise Conflict("this series has ended", code="series_ended")
        zone = zone_of(uow, claims.tenant_id, row.location_id)
        if changes.get("instructor_id") is not None:
            check_leaders(uow, claims.tenant_id, [changes["instructor_id"]])
        for field, value in changes.items():
            if field == "weekdays":
                value = sorted(set(value))
            elif field == "except_dates":
                value = sorted({d.isoformat() for d in value})
            elif field == "local_start":
                value = _wall_clock(value)
            elif field == "on_missing_time":
                value = OnMissingTime(value).value
            setattr(row, field, value)
        _check(row)
        summary = _reconcile(uow, bookings, row, zone)
        if row.instructor_id is not None:
            future = SessionRepository(uow.db, claims.tenant_id).of_schedule(row.id)
            instructors.check_sessions(
                uow,
                claims.tenant_id,
                [
                    s
                    for s in future
                    if s.starts_at > utcnow() and s.instructor_id == row.instructor_id
                ],
            )
        warnings = _series_warnings(uow, row)
        uow.commit()
        return ScheduleEdited(schedule=schedule_read(row, zone), changes=summary, warnings=warnings)


def _series_warnings(uow: UnitOfWork, row: Schedule) -> list[str]:
    """Hours warnings for the series' future instances, as they are after an edit."""
    # Archived or not: its series can still be edited.
    location = uow.db.get(Location, (row.tenant_id, row.location_id))
    if location is None:
        return []
    now = utcnow()
    instances = SessionRepository(uow.db, row.tenant_id).of_schedule(row.id, for_update=False)
    return hours_warnings(uow, location, [s for s in instances if s.starts_at > now])


def _reconcile(
    uow: UnitOfWork, bookings: SessionBookings, row: Schedule, zone: str
) -> SeriesChanges:
    """Bring the series' future, still-attached instances in line with the series."""
    now = utcnow()
    wanted = _future(row, zone, now)
    instances = SessionRepository(uow.db, row.tenant_id).of_schedule(row.id, for_update=True)
    summary = SeriesChanges()
    moved, resized = _follow_series(uow, bookings, row, zone, instances, wanted, now, summary)
    by_day = {s.occurrence_date: s for s in instances}
    summary.skipped_past = len(_past_days(row, zone, now) - set(by_day))
    for day, occurrence in wanted.items():
        existing = by_day.get(day)
        if existing is None:
            uow.db.add(_instance(row, occurrence, zone))
            summary.created += 1
        elif existing.status == SessionStatus.CANCELLED.value and not existing.detached:
            _reinstate(existing, row, occurrence, zone)
            summary.created += 1
    grown = set_capacity(uow, resized, row.capacity)
    uow.db.flush()
    summary.moved = len(moved)
    for session in moved:
        if session.confirmed_count or session.waitlist_count:
            summary.members_told += bookings.moved(uow=uow, session=session)
    for session in grown:
        if session.waitlist_count:
            bookings.grown(uow=uow, session=session)
    return summary


def _follow_series(
    uow: UnitOfWork,
    bookings: SessionBookings,
    row: Schedule,
    zone: str,
    instances: list[ClassSession],
    wanted: dict[date, Occurrence],
    now: datetime,
    summary: SeriesChanges,
) -> tuple[list[ClassSession], list[ClassSession]]:
    """Future scheduled instances follow the series: dropped days are cancelled, the others
    take its times, instructor and room. Returns the instances moved and those to resize."""
    moved: list[ClassSession] = []
    resized: list[ClassSession] = []
    for session in instances:
        if session.detached or session.starts_at <= now:
            continue
        if session.status != SessionStatus.SCHEDULED.value:
            continue
        occurrence = wanted.get(session.occurrence_date) if session.occurrence_date else None
        if occurrence is None:
            summary.members_told += cancel_row(uow, bookings, session, REMOVED, detach=False)
            summary.cancelled += 1
            continue
        was_moved = (session.starts_at, session.ends_at) != (
            occurrence.starts_at,
            occurrence.ends_at,
        )
        if was_moved:
            place_times(session, occurrence.starts_at, row.duration_minutes, zone)
            session.sequence += 1
            moved.append(session)
        changed = False
        if (session.instructor_id, session.room) != (row.instructor_id, row.room):
            session.instructor_id, session.room = row.instructor_id, row.room
            changed = True
        if session.capacity != row.capacity:
            resized.append(session)
            changed = True
        summary.updated += int(changed and not was_moved)
    return moved, resized


def _reinstate(session: ClassSession, row: Schedule, occurrence: Occurrence, zone: str) -> None:
    """A day the series had dropped is back: the cancelled instance runs again, empty."""
    session.status = SessionStatus.SCHEDULED.value
    session.cancel_reason = None
    session.capacity = row.capacity
    session.instructor_id, session.room = row.instructor_id, row.room
    session.sequence += 1
    place_times(session, occurrence.starts_at, row.duration_minutes, zone)


def end_schedule(
    *,
    uow: UnitOfWork,
    bookings: SessionBookings,
    claims: AccessClaims,
    schedule_id: uuid.UUID,
    cmd: ScheduleEnd,
) -> ScheduleEdited:
    """End a series after ``last_day``: every later instance that has not started is cancelled
    (also those changed by themselves: the series is over). The day before ``starts_on``
    withdraws the whole series."""
    with uow:
        row = ScheduleRepository(uow.db, claims.tenant_id).get_or_404(schedule_id, for_update=True)
        if row.ended_at is not None:
            raise Conflict("this series has already ended", code="series_ended")
        if cmd.last_day > row.ends_on:
            raise InvalidInput(
                f"the series already ends on {row.ends_on.isoformat()}; "
                f"{cmd.last_day.isoformat()} would not end it early"
            )
        if cmd.last_day < row.starts_on - timedelta(days=1):
            raise InvalidInput(
                f"the series starts on {row.starts_on.isoformat()}; to withdraw it entirely "
                f"give the day before ({(row.starts_on - timedelta(days=1)).isoformat()})"
            )
        zone = zone_of(uow, claims.tenant_id, row.location_id)
        now = utcnow()
        summary = SeriesChanges()
        repo = SessionRepository(uow.db, claims.tenant_id)
        for session in repo.of_schedule(row.id, for_update=True):
            late = session.occurrence_date is not None and session.occurrence_date > cmd.last_day
            live = session.status == SessionStatus.SCHEDULED.value and session.starts_at > now
            if late and live:
                summary.members_told += cancel_row(uow, bookings, session, cmd.reason, detach=False)
                summary.cancelled += 1
        row.ends_on = cmd.last_day
        row.ended_at = now
        uow.commit()
        return ScheduleEdited(schedule=schedule_read(row, zone), changes=summary)
