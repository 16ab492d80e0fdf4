"""Reading what nudges are about (bookings, no-shows, the ledger) and what was sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from server.bookings.models import Booking
from server.engagement.models import MovementEvent
from server.members.models import Member
from server.nudges import rules
from server.nudges.models import Nudge, NudgePolicy, NudgeSettings
from server.scheduling.models import ClassSession, SessionType
from server.tenants.models import Location
from shared.enums import BookingStatus

_UTC = ZoneInfo("UTC")
#: Upper bound of candidates of one kind read for one tenant in one run.
CANDIDATES_PER_KIND = 500
#: A no-show this old, or a lapse that began this long ago, is no longer worth a nudge.
NO_SHOW_LOOKBACK = timedelta(days=3)
LAPSE_LOOKBACK = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class Policy:
    weekly_cap: int = rules.DEFAULT_WEEKLY_CAP
    reminder_minutes: int = rules.DEFAULT_REMINDER_MINUTES
    lapse_days: int = rules.DEFAULT_LAPSE_DAYS


def policy(db: Session, tenant_id: uuid.UUID) -> Policy:
    row = db.get(NudgePolicy, tenant_id)
    if row is None:
        return Policy()
    return Policy(row.weekly_cap, row.reminder_minutes, row.lapse_days)


def _clock(minute: int) -> time:
    return time(minute // 60, minute % 60)


def preferences(row: NudgeSettings | None) -> rules.Preferences:
    if row is None:
        return rules.Preferences()
    known = {k.value for k in rules.NudgeKind}
    return rules.Preferences(
        opted_out=frozenset(rules.NudgeKind(k) for k in row.opted_out if k in known),
        quiet=rules.QuietHours(_clock(row.quiet_start_minute), _clock(row.quiet_end_minute)),
    )


def preferences_of(
    db: Session, tenant_id: uuid.UUID, member_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, rules.Preferences]:
    ids = list(set(member_ids))
    found = {
        row.member_id: preferences(row)
        for row in db.execute(
            select(NudgeSettings).where(
                NudgeSettings.tenant_id == tenant_id, NudgeSettings.member_id.in_(ids)
            )
        ).scalars()
    }
    return {member_id: found.get(member_id, rules.Preferences()) for member_id in ids}


@dataclass(frozen=True, slots=True)
class Recipient:
    email: str
    first_name: str
    zone: ZoneInfo
    #: The profile's "Email me reminders of my classes" unticked: no class reminders.
    reminders_off: bool = False


def recipients(
    db: Session, tenant_id: uuid.UUID, member_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Recipient]:
    """Live members with an email, each in their home location's zone (else the tenant's
    first location's, else UTC)."""
    ids = list(set(member_ids))
    zones = {
        row.id: row.timezone
        for row in db.execute(
            select(Location.id, Location.timezone)
            .where(Location.tenant_id == tenant_id)
            .order_by(Location.created_at, Location.id)
        )
    }
    fallback = ZoneInfo(next(iter(zones.values()))) if zones else _UTC
    found = {}
    for row in db.execute(
        select(
            Member.id, Member.email, Member.first_name, Member.home_location_id, Member.preferences
        ).where(
            Member.tenant_id == tenant_id,
            Member.id.in_(ids),
            Member.archived_at.is_(None),
            Member.email.is_not(None),
        )
    ):
        zone_name = zones.get(row.home_location_id) if row.home_location_id else None
        zone = ZoneInfo(zone_name) if zone_name else fallback
        off = (row.preferences or {}).get("class_reminders") is False
        found[row.id] = Recipient(row.email, row.first_name, zone, reminders_off=off)
    return found


def zone_of(db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID) -> ZoneInfo:
    home = db.execute(
        select(Location.timezone)
        .join(
            Member,
            and_(Member.tenant_id == Location.tenant_id, Member.home_location_id == Location.id),
        )
        .where(Member.tenant_id == tenant_id, Member.id == member_id)
    ).scalar_one_or_none()
    if home is None:
        home = db.execute(
            select(Location.timezone)
            .where(Location.tenant_id == tenant_id)
            .order_by(Location.created_at, Location.id)
            .limit(1)
        ).scalar_one_or_none()
    return ZoneInfo(home) if home else _UTC


def sent_since(
    db: Session, tenant_id: uuid.UUID, member_ids: Iterable[uuid.UUID], since: datetime
) -> dict[uuid.UUID, int]:
    ids = list(set(member_ids))
    return {
        row[0]: int(row[1])
        for row in db.execute(
            select(Nudge.member_id, func.count())
            .where(
                Nudge.tenant_id == tenant_id,
                Nudge.member_id.in_(ids),
                Nudge.sent_at.is_not(None),
                Nudge.sent_at > since,
            )
            .group_by(Nudge.member_id)
        )
    }


def recorded(
    db: Session, tenant_id: uuid.UUID, subject_keys: Iterable[str]
) -> set[tuple[uuid.UUID, str, str]]:
    """(member, kind, subject) of the nudges already recorded among ``subject_keys``."""
    keys = sorted(set(subject_keys))
    found: set[tuple[uuid.UUID, str, str]] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(
            (row[0], row[1], row[2])
            for row in db.execute(
                select(Nudge.member_id, Nudge.kind, Nudge.subject_key).where(
                    Nudge.tenant_id == tenant_id, Nudge.subject_key.in_(chunk)
                )
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class BookedClass:
    booking_id: uuid.UUID
    member_id: uuid.UUID
    class_name: str
    starts_at: datetime
    checked_in: bool
    booked_again: bool = False


def _booked_classes(db: Session, tenant_id: uuid.UUID, *where: object) -> list[BookedClass]:
    rows = db.execute(
        select(
            Booking.id,
            Booking.member_id,
            SessionType.name,
            Booking.starts_at,
            Booking.checked_in_at,
            Booking.attendance,
        )
        .join(
            ClassSession,
            and_(
                ClassSession.tenant_id == Booking.tenant_id,
                ClassSession.id == Booking.session_id,
            ),
        )
        .join(
            SessionType,
            and_(
                SessionType.tenant_id == ClassSession.tenant_id,
                SessionType.id == ClassSession.session_type_id,
            ),
        )
        .where(Booking.tenant_id == tenant_id, *where)  # type: ignore[arg-type]
        .order_by(Booking.starts_at, Booking.id)
        .limit(CANDIDATES_PER_KIND)
    )
    return [
        BookedClass(
            row[0],
            row[1],
            row[2],
            row[3],
            checked_in=row[4] is not None or row[5] in ("on_time", "late"),
        )
        for row in rows
    ]


def upcoming_classes(
    db: Session, tenant_id: uuid.UUID, now: datetime, before: timedelta
) -> list[BookedClass]:
    """Confirmed bookings of classes starting within ``before`` from now; cancelled ones
    are not there at all."""
    return _booked_classes(
        db,
        tenant_id,
        Booking.status.in_((BookingStatus.CONFIRMED.value, BookingStatus.PENDING.value)),
        Booking.cancelled_at.is_(None),
        Booking.starts_at > now,
        Booking.starts_at <= now + before,
    )


def recent_no_shows(db: Session, tenant_id: uuid.UUID, now: datetime) -> list[BookedClass]:
    """No-shows of classes that started in the last few days, each noting whether the
    member has booked anything since."""
    found = _booked_classes(
        db,
        tenant_id,
        Booking.attendance == "no_show",
        Booking.starts_at <= now,
        Booking.starts_at > now - NO_SHOW_LOOKBACK,
    )
    if not found:
        return []
    latest = {
        row[0]: row[1]
        for row in db.execute(
            select(Booking.member_id, func.max(Booking.booked_at))
            .where(
                Booking.tenant_id == tenant_id,
                Booking.member_id.in_({b.member_id for b in found}),
            )
            .group_by(Booking.member_id)
        )
    }
    return [
        BookedClass(
            b.booking_id,
            b.member_id,
            b.class_name,
            b.starts_at,
            b.checked_in,
            booked_again=latest.get(b.member_id) is not None and latest[b.member_id] > b.starts_at,
        )
        for b in found
    ]


def _counting() -> tuple[object, ...]:
    return (MovementEvent.is_void.is_(False), MovementEvent.voided_by.is_(None))


def lapsed_members(
    db: Session, tenant_id: uuid.UUID, now: datetime, days: int
) -> list[tuple[uuid.UUID, datetime]]:
    """Members whose last counting ledger event is ``days`` or more old, and whose lapse
    began recently enough to be worth a word, with that last event's time."""
    last = func.max(MovementEvent.occurred_at)
    rows = db.execute(
        select(MovementEvent.member_id, last)
        .where(MovementEvent.tenant_id == tenant_id, *_counting())  # type: ignore[arg-type]
        .group_by(MovementEvent.member_id)
        .having(
            last <= now - timedelta(days=days), last > now - timedelta(days=days) - LAPSE_LOOKBACK
        )
        .order_by(MovementEvent.member_id)
        .limit(CANDIDATES_PER_KIND)
    )
    return [(row[0], row[1]) for row in rows]


def lock_member(db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID) -> None:
    """Hold the member's row until the transaction ends (PostgreSQL; SQLite has one
    writer at a time anyway)."""
    db.execute(
        select(Member.id)
        .where(Member.tenant_id == tenant_id, Member.id == member_id)
        .with_for_update()
    )


def member_exists(db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID) -> bool:
    return (
        db.execute(
            select(Member.id).where(Member.tenant_id == tenant_id, Member.id == member_id)
        ).scalar_one_or_none()
        is not None
    )


def nudges_of(
    db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[Nudge], int]:
    where = (Nudge.tenant_id == tenant_id, Nudge.member_id == member_id)
    total = db.execute(select(func.count()).select_from(Nudge).where(*where)).scalar_one()
    rows = db.execute(
        select(Nudge)
        .where(*where)
        .order_by(Nudge.created_at.desc(), Nudge.id)
        .limit(limit)
        .offset(offset)
    ).scalars()
    return list(rows), int(total)
