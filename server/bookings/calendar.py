"""A member's bookings as an iCalendar feed (RFC 5545), behind a private address.

The address's token says nothing about whose feed it is. Its secret part is an HMAC of a
random nonce kept for the member, under a key derived from the server's secret, so it can be
shown to the member again, and neither the database alone nor anyone guessing can produce
it. The rest is the tenant id encrypted (AES-CTR, the secret part as counter block, so two
members' addresses share nothing), because every lookup starts from the tenant; the feed is
then found by the token's hash. A member may retire their address: a new nonce, and the old
address is simply not found, like a forged one.

Events keep stable UIDs (``<booking id>@zmos``) and a SEQUENCE that grows with the session's
changes and the booking's own steps; cancelled bookings stay in the feed, cancelled.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets
import uuid
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.bookings.models import Booking, CalendarFeed
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

_INFO = b"zmos calendar feeds v2"
_SECRET_BYTES = 20
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{48}$")
_BOOKINGS_PAST = timedelta(days=60)

#: A booking's own step in its life, added to its session's sequence (never goes back).
_BOOKING_STEP = {
    BookingStatus.WAITLISTED.value: 0,
    BookingStatus.PENDING.value: 0,
    BookingStatus.CONFIRMED.value: 1,
    BookingStatus.CANCELLED.value: 2,
    BookingStatus.DECLINED.value: 2,
}


@functools.lru_cache(maxsize=4)
def _feed_keys(secret_key: str) -> tuple[bytes, bytes]:
    """(HMAC key, AES key), both derived from the server's secret."""
    keys = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return keys[:32], keys[32:]


def _tenant_cipher(secret_key: str, secret: bytes) -> Cipher[modes.CTR]:
    return Cipher(algorithms.AES(_feed_keys(secret_key)[1]), modes.CTR(secret[:16]))


def feed_token(secret_key: str, tenant_id: uuid.UUID, nonce: str) -> str:
    mac_key, _ = _feed_keys(secret_key)
    secret = hmac.new(mac_key, nonce.encode(), hashlib.sha256).digest()[:_SECRET_BYTES]
    hidden = _tenant_cipher(secret_key, secret).encryptor().update(tenant_id.bytes)
    return base64.urlsafe_b64encode(secret + hidden).decode()


def _tenant_of(secret_key: str, token: str) -> uuid.UUID | None:
    """The tenant a well-formed token names (whether the feed exists is for the database)."""
    if not _TOKEN.match(token):
        return None
    raw = base64.urlsafe_b64decode(token)
    secret, hidden = raw[:_SECRET_BYTES], raw[_SECRET_BYTES:]
    return uuid.UUID(bytes=_tenant_cipher(secret_key, secret).decryptor().update(hidden))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_nonce(feed: CalendarFeed, secret_key: str) -> None:
    feed.nonce = secrets.token_hex(16)
    feed.token_hash = _token_hash(feed_token(secret_key, feed.tenant_id, feed.nonce))
    feed.created_at = utcnow()


def _feed_of(db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID) -> CalendarFeed | None:
    return db.get(CalendarFeed, (tenant_id, member_id), populate_existing=True)


def _address(secret_key: str, feed: CalendarFeed, base_url: str) -> MemberCalendar:
    path = f"/calendars/{feed_token(secret_key, feed.tenant_id, feed.nonce)}.ics"
    return MemberCalendar(feed_url=base_url.rstrip("/") + path, path=path)


def my_calendar(
    *,
    uow: UnitOfWork,
    secret_key: str,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    base_url: str,
    reset: bool = False,
) -> MemberCalendar:
    """The member's feed address, made on first asking; with ``reset``, a new one that
    retires the old."""
    with uow:
        feed = _feed_of(uow.db, tenant_id, member_id)
        if feed is not None and not reset:
            return _address(secret_key, feed, base_url)
        if feed is None:
            feed = CalendarFeed(tenant_id=tenant_id, member_id=member_id)
            uow.db.add(feed)
        _new_nonce(feed, secret_key)
        try:
            uow.commit()
        except IntegrityError:
            # A first request at the same moment made the address; that one stands.
            uow.db.rollback()
            feed = _feed_of(uow.db, tenant_id, member_id)
            if feed is None:
                raise
        return _address(secret_key, feed, base_url)


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
    not_found = NotFound("there is no calendar at this address")
    tenant = _tenant_of(secret_key, token)
    if tenant is None:
        raise not_found
    now = utcnow()
    with uow:
        found = uow.db.execute(
            select(CalendarFeed.tenant_id, CalendarFeed.member_id).where(
                CalendarFeed.tenant_id == tenant,
                CalendarFeed.token_hash == _token_hash(token),
            )
        ).first()
        if found is None or not _current_member(uow.db, found.tenant_id, found.member_id):
            raise not_found
        tenant_id, member_id = found.tenant_id, found.member_id
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
