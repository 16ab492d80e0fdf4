"""A member's bookings as an iCalendar feed (RFC 5545), behind a private address whose token
is an HMAC of tenant and member under a key derived from the server's secret: no database
row, and a forged token is simply not found.

Events keep stable UIDs (``<booking id>@zmos``) and a SEQUENCE that grows with the session's
changes and the booking's own steps; cancelled bookings stay in the feed, cancelled.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.bookings.models import Booking
from server.bookings.schemas import MemberCalendar
from server.db.uow import UnitOfWork
from server.errors import NotFound
from server.members.models import Member
from server.scheduling import ical
from server.scheduling.models import ClassSession, SessionType
from server.scheduling.repository import with_type_and_location
from server.tenants.models import Location
from shared.clock import utcnow
from shared.enums import BookingStatus, SessionStatus

_INFO = b"zmos calendar feeds v1"
_MAC_BYTES = 16
_BOOKINGS_PAST = timedelta(days=60)

#: A booking's own step in its life, added to its session's sequence (never goes back).
_BOOKING_STEP = {
    BookingStatus.WAITLISTED.value: 0,
    BookingStatus.PENDING.value: 0,
    BookingStatus.CONFIRMED.value: 1,
    BookingStatus.CANCELLED.value: 2,
    BookingStatus.DECLINED.value: 2,
}


def _feed_key(secret_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )


def feed_token(secret_key: str, tenant_id: uuid.UUID, member_id: uuid.UUID) -> str:
    ids = tenant_id.bytes + member_id.bytes
    mac = hmac.new(_feed_key(secret_key), ids, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(ids + mac).rstrip(b"=").decode()


def read_feed_token(secret_key: str, token: str) -> tuple[uuid.UUID, uuid.UUID]:
    """(tenant id, member id) of a genuine token; anything else is simply not found."""
    not_found = NotFound("there is no calendar at this address")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise not_found from None
    if len(raw) != 32 + _MAC_BYTES:
        raise not_found
    ids, mac = raw[:32], raw[32:]
    expected = hmac.new(_feed_key(secret_key), ids, hashlib.sha256).digest()[:_MAC_BYTES]
    if not hmac.compare_digest(mac, expected):
        raise not_found
    return uuid.UUID(bytes=ids[:16]), uuid.UUID(bytes=ids[16:])


def my_calendar(
    *, secret_key: str, tenant_id: uuid.UUID, member_id: uuid.UUID, base_url: str
) -> MemberCalendar:
    path = f"/calendars/{feed_token(secret_key, tenant_id, member_id)}.ics"
    return MemberCalendar(feed_url=base_url.rstrip("/") + path, path=path)


def _booking_status(booking: Booking, session: ClassSession) -> str:
    if session.status == SessionStatus.CANCELLED.value:
        return "CANCELLED"
    if booking.status in (BookingStatus.CANCELLED.value, BookingStatus.DECLINED.value):
        return "CANCELLED"
    if booking.status == BookingStatus.CONFIRMED.value:
        return "CONFIRMED"
    return "TENTATIVE"


def _bookings_of_member(
    db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID, *, since: datetime, limit: int
) -> list[tuple[Booking, ClassSession, SessionType, Location]]:
    """A member's bookings of sessions starting after ``since``, with what a calendar shows."""
    query = (
        with_type_and_location(
            select(Booking, ClassSession, SessionType, Location).join(
                ClassSession,
                (ClassSession.tenant_id == Booking.tenant_id)
                & (ClassSession.id == Booking.session_id),
            )
        )
        .where(
            Booking.tenant_id == tenant_id,
            Booking.member_id == member_id,
            Booking.starts_at >= since,
        )
        .order_by(Booking.starts_at, Booking.id)
        .limit(limit)
    )
    return [(b, s, t, loc) for b, s, t, loc in db.execute(query)]


def _current_member(db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID) -> bool:
    found = db.execute(
        select(Member.id).where(
            Member.tenant_id == tenant_id, Member.id == member_id, Member.archived_at.is_(None)
        )
    ).first()
    return found is not None


def member_feed(*, uow: UnitOfWork, secret_key: str, token: str) -> bytes:
    tenant_id, member_id = read_feed_token(secret_key, token)
    now = utcnow()
    with uow:
        if not _current_member(uow.db, tenant_id, member_id):
            raise NotFound("there is no calendar at this address")
        rows = _bookings_of_member(
            uow.db, tenant_id, member_id, since=now - _BOOKINGS_PAST, limit=ical.MAX_EVENTS
        )
        calendar = ical.calendar_of("My bookings")
        first = last = now.date()
        for booking, session, kind, location in rows:
            calendar.add_component(
                ical.event_of(
                    uid=booking.id,
                    session=session,
                    kind=kind,
                    location=location,
                    status=_booking_status(booking, session),
                    sequence=session.sequence + _BOOKING_STEP.get(booking.status, 0),
                    stamp=now,
                )
            )
            first, last = min(first, session.starts_at.date()), max(last, session.ends_at.date())
        return ical.finish(calendar, first, last)
