"""Check-out and ratings: a member confirms a visit's minutes (a correction, never an edit)
and rates a class they attended; providers read ratings per class type and instructor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.uow import UnitOfWork
from server.engagement import service
from server.engagement.models import MovementEvent, SessionRating
from server.errors import Conflict, NotFound
from server.ports.identity import AccessClaims
from server.scheduling.models import ClassSession, SessionType
from server.staff.models import StaffAccount
from server.tenants.models import Location
from shared.clock import utcnow
from shared.enums import MovementKind
from shared.movement import MovementSource, Provenance


def _live(
    db: Session,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    *,
    checkin_id: uuid.UUID | None = None,
    session_id: uuid.UUID | None = None,
) -> MovementEvent | None:
    """The member's standing event of a visit: not a void, not replaced."""
    query = select(MovementEvent).where(
        MovementEvent.tenant_id == tenant_id,
        MovementEvent.member_id == member_id,
        MovementEvent.is_void.is_(False),
        MovementEvent.voided_by.is_(None),
    )
    if checkin_id is not None:
        query = query.where(MovementEvent.checkin_id == checkin_id)
    if session_id is not None:
        query = query.where(
            MovementEvent.session_id == session_id,
            MovementEvent.kind == MovementKind.ATTENDANCE.value,
        )
    found: MovementEvent | None = db.execute(
        query.order_by(MovementEvent.occurred_at.desc()).limit(1)
    ).scalar_one_or_none()
    return found


def _session_exists(db: Session, tenant_id: uuid.UUID, session_id: uuid.UUID) -> None:
    if db.get(ClassSession, (tenant_id, session_id)) is None:
        raise NotFound(f"session {session_id} was not found")


def stage_check_out(
    db: Session,
    tenant_id: uuid.UUID,
    *,
    member_id: uuid.UUID,
    minutes: int,
    completed: bool,
    checkin_id: uuid.UUID | None = None,
    session_id: uuid.UUID | None = None,
    recorded_by: uuid.UUID | None,
    source: MovementSource,
    provenance: Provenance | None = None,
    now: datetime | None = None,
) -> MovementEvent:
    """Confirm the member's visit in the open transaction: its minutes (a correction of the
    door's estimate) or that it was not completed after all (a void). Again later: the latest
    confirmation stands. The member app and the kiosk's push both check out through here;
    the caller commits and publishes."""
    if session_id is not None:
        _session_exists(db, tenant_id, session_id)
    event = _live(db, tenant_id, member_id, checkin_id=checkin_id, session_id=session_id)
    if event is None and checkin_id is not None:
        raise NotFound(f"check-in {checkin_id} was not found")
    if event is None:
        raise Conflict(
            "there is no attendance of yours at this class to check out of",
            code="not_attended",
        )
    if not completed:
        return service.stage_void(
            db,
            tenant_id,
            event_id=event.id,
            reason="checked out: not completed",
            recorded_by=recorded_by,
        )
    return service.stage_correction(
        db,
        tenant_id,
        event_id=event.id,
        minutes=minutes,
        reason="checked out",
        recorded_by=recorded_by,
        provenance=provenance,
        source=source.value,
        now=now,
    )


def check_out(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    minutes: int,
    completed: bool,
    checkin_id: uuid.UUID | None = None,
    session_id: uuid.UUID | None = None,
) -> service.Entered:
    """A member confirms their own visit (see :func:`stage_check_out`). Commits."""
    with uow:
        row = stage_check_out(
            uow.db,
            claims.tenant_id,
            member_id=claims.subject_id,
            minutes=minutes,
            completed=completed,
            checkin_id=checkin_id,
            session_id=session_id,
            recorded_by=claims.subject_id,
            source=MovementSource.APP,
        )
        entry = service.entry_of(row)
        published = service.published_of(claims.tenant_id, row)
        uow.commit()
    return service.Entered(entry, True, (published,))


@dataclass(frozen=True)
class Rated:
    session_id: uuid.UUID
    score: int
    comment: str | None
    updated_at: datetime


def rate_session(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    session_id: uuid.UUID,
    score: int,
    comment: str | None,
) -> Rated:
    """One rating per attended class; rating again changes it."""
    with uow:
        _session_exists(uow.db, claims.tenant_id, session_id)
        if _live(uow.db, claims.tenant_id, claims.subject_id, session_id=session_id) is None:
            raise Conflict("rate a class you attended", code="not_attended")
        rating = _rating(uow, claims, session_id)
        if rating is None:
            savepoint = uow.db.begin_nested()
            try:
                rating = SessionRating(
                    tenant_id=claims.tenant_id,
                    id=uuid.uuid4(),
                    member_id=claims.subject_id,
                    session_id=session_id,
                    score=score,
                    comment=comment,
                )
                uow.db.add(rating)
                uow.db.flush()
                savepoint.commit()
            except IntegrityError:  # the same member rating twice at once: edit the first
                savepoint.rollback()
                rating = _rating(uow, claims, session_id)
                assert rating is not None
        rating.score, rating.comment, rating.updated_at = score, comment, utcnow()
        uow.commit()
        return Rated(session_id, rating.score, rating.comment, rating.updated_at)


def _rating(uow: UnitOfWork, claims: AccessClaims, session_id: uuid.UUID) -> SessionRating | None:
    found: SessionRating | None = uow.db.execute(
        select(SessionRating).where(
            SessionRating.tenant_id == claims.tenant_id,
            SessionRating.member_id == claims.subject_id,
            SessionRating.session_id == session_id,
        )
    ).scalar_one_or_none()
    return found


@dataclass(frozen=True)
class RatingLine:
    session_type_id: uuid.UUID
    session_type: str
    instructor_id: uuid.UUID | None
    instructor: str | None
    ratings: int
    average: float


def ratings_report(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    from_day: date,
    to_day: date,
    location_id: uuid.UUID | None,
) -> list[RatingLine]:
    """Ratings of classes that started between two days (UTC dates widened by a day each
    side, then kept to the sessions' local days), per session type and instructor, most
    rated first. Limited staff see their locations' only."""
    if location_id is not None and not claims.sees_location(location_id):
        raise NotFound(f"location {location_id} was not found")
    tenant = claims.tenant_id
    with uow:
        query = (
            select(
                SessionType.id,
                SessionType.name,
                ClassSession.instructor_id,
                StaffAccount.name,
                ClassSession.starts_at,
                Location.timezone,
                SessionRating.score,
            )
            .select_from(SessionRating)
            .join(
                ClassSession,
                (ClassSession.tenant_id == SessionRating.tenant_id)
                & (ClassSession.id == SessionRating.session_id),
            )
            .join(
                SessionType,
                (SessionType.tenant_id == ClassSession.tenant_id)
                & (SessionType.id == ClassSession.session_type_id),
            )
            .join(
                Location,
                (Location.tenant_id == ClassSession.tenant_id)
                & (Location.id == ClassSession.location_id),
            )
            .outerjoin(
                StaffAccount,
                (StaffAccount.tenant_id == ClassSession.tenant_id)
                & (StaffAccount.id == ClassSession.instructor_id),
            )
            .where(
                SessionRating.tenant_id == tenant,
                ClassSession.starts_at >= _utc(from_day - timedelta(days=1)),
                ClassSession.starts_at < _utc(to_day + timedelta(days=2)),
            )
        )
        if location_id is not None:
            query = query.where(ClassSession.location_id == location_id)
        if claims.location_ids is not None:
            query = query.where(ClassSession.location_id.in_(list(claims.location_ids)))
        rows = uow.db.execute(query).all()
    groups: dict[tuple[uuid.UUID, uuid.UUID | None], list[int]] = {}
    names: dict[tuple[uuid.UUID, uuid.UUID | None], tuple[str, str | None]] = {}
    for type_id, type_name, instructor_id, instructor, starts_at, zone, score in rows:
        if not from_day <= starts_at.astimezone(ZoneInfo(zone)).date() <= to_day:
            continue
        key = (type_id, instructor_id)
        groups.setdefault(key, []).append(score)
        names[key] = (type_name, instructor)
    lines = [
        RatingLine(
            session_type_id=key[0],
            session_type=names[key][0],
            instructor_id=key[1],
            instructor=names[key][1],
            ratings=len(scores),
            average=round(sum(scores) / len(scores), 2),
        )
        for key, scores in groups.items()
    ]
    return sorted(lines, key=lambda line: (-line.ratings, line.session_type, line.instructor or ""))


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("UTC"))
