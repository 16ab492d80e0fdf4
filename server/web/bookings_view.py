"""What a member's booking pages show: their upcoming and recent bookings, and what
cancelling one would cost, through the member services the API's ``/me`` routes use."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from server.api.deps import Services
from server.bookings import booking_service, cancel_preview
from server.bookings.schemas import BookingRead
from server.me import service as me_service
from server.me.schemas import MyBooking
from server.ports.identity import AccessClaims
from server.tenants import service as tenants
from server.web.formatting import Formats
from server.web.timetable_view import formats_of
from shared.clock import utcnow
from shared.enums import BookingStatus, PenaltyOutcome

#: How far back "past" bookings go on the page.
PAST_WEEKS = 4


@dataclass(frozen=True)
class Shown:
    booking: MyBooking
    day: str
    starts: str
    waitlist_place: int | None = None


def _formats(container: Services, claims: AccessClaims) -> dict[uuid.UUID, Formats]:
    tenant = tenants.get_tenant(uow=container.read_uow(), claims=claims)
    locations = tenants.list_locations(
        uow=container.read_uow(), claims=claims, limit=200, offset=0
    ).items
    return formats_of(locations, tenant.currency)


def _shown(fmts: dict[uuid.UUID, Formats], b: MyBooking, place: int | None = None) -> Shown:
    fmt = fmts.get(b.location_id) or Formats(timezone=b.timezone)
    return Shown(b, fmt.day(b.starts_at), fmt.time(b.starts_at), place)


def my_bookings(container: Services, claims: AccessClaims) -> dict[str, Any]:
    """Worker thread. Upcoming places, places in line (with the place), and the past weeks."""
    fmts = _formats(container, claims)
    upcoming = me_service.bookings(
        uow=container.read_uow(), claims=claims, upcoming=True, limit=100, offset=0
    ).items
    past = me_service.bookings(
        uow=container.read_uow(), claims=claims, upcoming=False, limit=100, offset=0
    ).items
    since = utcnow() - timedelta(weeks=PAST_WEEKS)
    places = []
    waiting = []
    for b in upcoming:
        if b.status in (BookingStatus.CONFIRMED, BookingStatus.PENDING):
            places.append(_shown(fmts, b))
        elif b.status is BookingStatus.WAITLISTED:
            seen = me_service.session(
                uow=container.read_uow(), claims=claims, session_id=b.session_id
            ).my_booking
            waiting.append(_shown(fmts, b, seen.waitlist_place if seen else None))
    return {
        "places": places,
        "waiting": waiting,
        "past": [_shown(fmts, b) for b in past if b.starts_at >= since],
        "past_weeks": PAST_WEEKS,
    }


@dataclass(frozen=True)
class CancelStep:
    preview: cancel_preview.CancelPreview
    session: str
    when: str
    #: The penalty in words, or None when cancelling now costs nothing.
    penalty: str | None


def _penalty(p: cancel_preview.CancelPreview, fmt: Formats) -> str | None:
    if p.outcome is PenaltyOutcome.FEE and p.fee is not None:
        return f"a late-cancellation fee of {fmt.money(p.fee, p.currency)}"
    if p.outcome is PenaltyOutcome.CREDIT_FORFEITED:
        return "the class credit this booking used (it is not given back)"
    if p.outcome is PenaltyOutcome.GRACE:
        return "one of your free late cancellations (no fee this time)"
    return None


def cancel_step(container: Services, claims: AccessClaims, booking_id: uuid.UUID) -> CancelStep:
    """Worker thread. What cancelling now would cost; NotFound for another's booking."""
    preview = cancel_preview.preview(uow=container.read_uow(), claims=claims, booking_id=booking_id)
    read = booking_service.get(uow=container.read_uow(), claims=claims, booking_id=booking_id)
    session = me_service.session(
        uow=container.read_uow(), claims=claims, session_id=read.session_id
    )
    fmt = _formats(container, claims).get(session.location_id) or Formats(timezone=session.timezone)
    return CancelStep(
        preview=preview,
        session=f"{session.session_type_name} at {session.location_name}",
        when=f"{fmt.day(session.starts_at)}, {fmt.time(session.starts_at)}",
        penalty=_penalty(preview, fmt),
    )


def cancel(container: Services, claims: AccessClaims, booking_id: uuid.UUID) -> BookingRead:
    """Worker thread. The API's cancellation, with the same policy and penalties."""
    return booking_service.cancel(
        uow=container.uow(),
        payments=container.payments,
        claims=claims,
        booking_id=booking_id,
        waiver_reason=None,
    )
