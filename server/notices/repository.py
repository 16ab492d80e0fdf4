"""Reading what sending needs: a member's addresses, zone and channel choices, a tenant's
notice settings, and the delivery log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo

from sqlalchemy import and_, column, func, select, table
from sqlalchemy.orm import Session

from server.notices.models import ChannelPreferences, Notice, NoticeSettings, StaffChannel
from server.tenants.models import Location, Tenant
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


def log_page(
    db: Session,
    tenant_id: uuid.UUID,
    *,
    channel: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Notice], int]:
    where = [Notice.tenant_id == tenant_id]
    if channel is not None:
        where.append(Notice.channel == channel)
    if status is not None:
        where.append(Notice.status == status)
    total = db.execute(select(func.count()).select_from(Notice).where(*where)).scalar_one()
    rows = db.execute(
        select(Notice)
        .where(*where)
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(limit)
        .offset(offset)
    ).scalars()
    return list(rows), int(total)
