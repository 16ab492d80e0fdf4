"""iCalendar feeds (RFC 5545) for Google, Outlook and Apple calendars.

* A location's timetable: public, every session from a week ago to four months ahead.
* A member's bookings: behind a private address whose token is an HMAC of tenant and member
  under a key derived from the server's secret (no database row; a forged token is a 404).

Events keep stable UIDs (``<session id>@zmos`` / ``<booking id>@zmos``), are written in the
location's zone with its VTIMEZONE, and carry a SEQUENCE that grows with every change members
see; cancelled sessions and bookings stay in the feed with STATUS:CANCELLED so that calendars
remove them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from server.bookings.models import Booking
from server.db.uow import UnitOfWork
from server.errors import NotFound
from server.scheduling.browse import provider_or_404
from server.scheduling.models import ClassSession, SessionType
from server.scheduling.repository import (
    SessionFilter,
    SessionRepository,
    bookings_of_member,
    current_member,
)
from server.scheduling.schemas import MemberCalendar
from server.staff.models import StaffAccount
from server.tenants.models import Location
from server.tenants.repository import LocationRepository
from shared.clock import utcnow
from shared.enums import BookingStatus, SessionStatus

MEDIA_TYPE = "text/calendar; charset=utf-8"
_INFO = b"zmos calendar feeds v1"
_MAC_BYTES = 16
_TIMETABLE_PAST, _TIMETABLE_AHEAD = timedelta(days=7), timedelta(days=120)
_BOOKINGS_PAST = timedelta(days=60)
_MAX_EVENTS = 2000

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


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Zimasa MotionOS//ZMOS//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(
    *,
    uid: uuid.UUID,
    session: ClassSession,
    kind: SessionType,
    location: Location,
    status: str,
    sequence: int,
    stamp: datetime,
    instructor: str | None = None,
) -> icalendar.Event:
    zone = ZoneInfo(location.timezone)
    event = icalendar.Event()
    event.add("uid", f"{uid}@zmos")
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", kind.name)
    where = location.name + (f", {session.room}" if session.room else "")
    event.add("location", where + (f", {location.address}" if location.address else ""))
    lines = [f"{kind.category} · {kind.duration_minutes} min"]
    if instructor:
        lines.append(f"With {instructor}")
    if session.status == SessionStatus.CANCELLED.value and session.cancel_reason:
        lines.append(f"Cancelled: {session.cancel_reason}")
    event.add("description", "\n".join(lines))
    event.add("status", status)
    event.add("sequence", sequence)
    event.add("last-modified", session.updated_at)
    return event


def _finish(calendar: icalendar.Calendar, first: date, last: date) -> bytes:
    calendar.add_missing_timezones(first_date=first, last_date=last + timedelta(days=1))
    data: bytes = calendar.to_ical()
    return data


def location_timetable(*, uow: UnitOfWork, slug: str, location_id: uuid.UUID) -> bytes:
    now = utcnow()
    with uow:
        tenant = provider_or_404(uow, slug)
        location = LocationRepository(uow.db, tenant.id).get_or_404(location_id)
        today = now.astimezone(ZoneInfo(location.timezone)).date()
        f = SessionFilter(
            location_id=location.id,
            date_from=today - _TIMETABLE_PAST,
            date_to=today + _TIMETABLE_AHEAD,
        )
        rows = SessionRepository(uow.db, tenant.id).search(f, limit=_MAX_EVENTS, offset=0)
        calendar = _calendar(f"{tenant.name} · {location.name}")
        for session, kind, loc, staff in rows:
            cancelled = session.status == SessionStatus.CANCELLED.value
            calendar.add_component(
                _event(
                    uid=session.id,
                    session=session,
                    kind=kind,
                    location=loc,
                    status="CANCELLED" if cancelled else "CONFIRMED",
                    sequence=session.sequence,
                    stamp=now,
                    instructor=_name(staff),
                )
            )
        return _finish(calendar, f.date_from or today, f.date_to or today)


def _name(staff: StaffAccount | None) -> str | None:
    return staff.name if staff is not None else None


def _booking_status(booking: Booking, session: ClassSession) -> str:
    if session.status == SessionStatus.CANCELLED.value:
        return "CANCELLED"
    if booking.status in (BookingStatus.CANCELLED.value, BookingStatus.DECLINED.value):
        return "CANCELLED"
    if booking.status == BookingStatus.CONFIRMED.value:
        return "CONFIRMED"
    return "TENTATIVE"


def member_feed(*, uow: UnitOfWork, secret_key: str, token: str) -> bytes:
    tenant_id, member_id = read_feed_token(secret_key, token)
    now = utcnow()
    with uow:
        if not current_member(uow.db, tenant_id, member_id):
            raise NotFound("there is no calendar at this address")
        rows = bookings_of_member(
            uow.db, tenant_id, member_id, since=now - _BOOKINGS_PAST, limit=_MAX_EVENTS
        )
        calendar = _calendar("My bookings")
        first = last = now.date()
        for booking, session, kind, location in rows:
            calendar.add_component(
                _event(
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
        return _finish(calendar, first, last)
