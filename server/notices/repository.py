"""Reading what sending needs: a member's addresses, zone and channel choices, a tenant's
notice settings, and the delivery log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, and_, column, func, or_, select, table
from sqlalchemy.orm import Session

from server.notices.models import ChannelPreferences, Notice, NoticeSettings, StaffChannel
from server.notices.rules import NoticeFilters
from server.tenants.models import Location, Tenant
from server.tenants.repository import tenant_zone
from shared.normalise import fold
from shared.quiet_hours import QuietHours

_UTC = ZoneInfo("UTC")

#: The columns of members read here, named rather than imported: the members domain queues
#: its own mails (password links) through notices, so notices does not import it.
_MEMBERS = table(
    "members",
    column("tenant_id"),
    column("id"),
    column("email"),
    column("phone"),
    column("home_location_id"),
    column("first_name", String),
    column("last_name", String),
    column("search_key", String),
)
Member = _MEMBERS.c


@dataclass(frozen=True, slots=True)
class Contact:
    email: str | None
    phone: str | None
    zone: ZoneInfo


def contact(db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID) -> Contact | None:
    """A live member's addresses and the zone of their home location (else the tenant's
    first location's, else UTC)."""
    row = db.execute(
        select(Member.email, Member.phone, Location.timezone)
        .select_from(_MEMBERS)
        .outerjoin(
            Location,
            and_(Location.tenant_id == Member.tenant_id, Location.id == Member.home_location_id),
        )
        .where(Member.tenant_id == tenant_id, Member.id == member_id)
    ).one_or_none()
    if row is None:
        return None
    zone_name = (
        row[2]
        or db.execute(
            select(Location.timezone)
            .where(Location.tenant_id == tenant_id)
            .order_by(Location.created_at, Location.id)
            .limit(1)
        ).scalar_one_or_none()
    )
    return Contact(row[0], row[1], ZoneInfo(zone_name) if zone_name else _UTC)


def choices(db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID) -> dict[str, list[str]] | None:
    row = db.get(ChannelPreferences, (tenant_id, member_id))
    return None if row is None else dict(row.channels)


def settings(db: Session, tenant_id: uuid.UUID) -> NoticeSettings | None:
    return db.get(NoticeSettings, tenant_id)


def staff_channels(db: Session, tenant_id: uuid.UUID) -> dict[str, StaffChannel]:
    rows = db.execute(select(StaffChannel).where(StaffChannel.tenant_id == tenant_id)).scalars()
    return {row.channel: row for row in rows}


def _clock(minute: int) -> time:
    return time(minute // 60, minute % 60)


def tenant_quiet_hours(row: NoticeSettings | None) -> QuietHours:
    if row is None:
        return QuietHours()
    return QuietHours(_clock(row.quiet_start_minute), _clock(row.quiet_end_minute))


def tenant_name(db: Session, tenant_id: uuid.UUID) -> str:
    return db.execute(select(Tenant.name).where(Tenant.id == tenant_id)).scalar_one_or_none() or ""


def _search(tenant_id: uuid.UUID, text: str) -> ColumnElement[bool]:
    """Part of the recipient's address, or every word of the member's name (any case or
    accent, as the member search folds it)."""
    address = func.lower(Notice.to_email).contains(text.lower(), autoescape=True)
    words = [Member.search_key.contains(fold(word), autoescape=True) for word in text.split()]
    if not words:
        return address
    named = select(Member.id).where(Member.tenant_id == tenant_id, *words)
    return or_(address, Notice.member_id.in_(named))


def _where(db: Session, tenant_id: uuid.UUID, filters: NoticeFilters) -> list[Any]:
    where: list[Any] = [Notice.tenant_id == tenant_id]
    if filters.channel is not None:
        where.append(Notice.channel == filters.channel)
    if filters.status is not None:
        where.append(Notice.status == filters.status)
    if filters.member_id is not None:
        where.append(Notice.member_id == filters.member_id)
    if filters.search:
        where.append(_search(tenant_id, filters.search))
    if filters.from_day is not None or filters.to_day is not None:
        zone = ZoneInfo(tenant_zone(db, tenant_id))
        if filters.from_day is not None:
            where.append(Notice.created_at >= datetime.combine(filters.from_day, time(), zone))
        if filters.to_day is not None:
            end = datetime.combine(filters.to_day + timedelta(days=1), time(), zone)
            where.append(Notice.created_at < end)
    return where


def log_page(
    db: Session, tenant_id: uuid.UUID, filters: NoticeFilters, *, limit: int, offset: int
) -> tuple[list[tuple[Notice, str | None]], int]:
    """A page of the log, newest first, each notice with its member's name; and how many
    notices match in all."""
    where = _where(db, tenant_id, filters)
    total = db.execute(select(func.count()).select_from(Notice).where(*where)).scalar_one()
    rows = db.execute(
        select(Notice, Member.first_name, Member.last_name)
        .outerjoin(
            _MEMBERS, and_(Member.tenant_id == Notice.tenant_id, Member.id == Notice.member_id)
        )
        .where(*where)
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    named: list[tuple[Notice, str | None]] = [
        (row[0], f"{row[1]} {row[2]}" if row[1] is not None else None) for row in rows
    ]
    return named, int(total)
