"""What the timetable pages show: a provider's upcoming sessions through the public browsing
service (the same list for anyone), filtered as the visitor asked, written in each
location's time and locale, and for a signed-in member their own bookings of them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any
from urllib.parse import urlencode

from server.api.deps import Services
from server.me import service as me_service
from server.me.schemas import MyBooking
from server.ports.identity import AccessClaims
from server.scheduling import browse
from server.scheduling.schemas import PublicLocation, PublicSession, PublicSessionFilter
from server.tenants import service as tenants
from server.web.formatting import Formats
from shared.enums import BookingStatus
from shared.opening_hours import WEEKDAY_NAMES, WEEKDAYS

#: Sessions listed on one page of the timetable; the filters narrow the rest.
SHOWN = 60
#: Sessions the filters' instructor choices are gathered from.
_OPTIONS_FROM = 200
#: Times of day as a person says them: [from, to) in the location's wall-clock time.
PARTS: dict[str, tuple[str, time | None, time | None]] = {
    "morning": ("Morning (before 12:00)", None, time(12)),
    "afternoon": ("Afternoon (12:00–17:00)", time(12), time(17)),
    "evening": ("Evening (from 17:00)", time(17), None),
}
_WAITING = {BookingStatus.WAITLISTED}


@dataclass(frozen=True)
class Filters:
    day: date | None = None
    part: str = ""
    session_type_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    instructor_id: uuid.UUID | None = None

    def browse(self) -> PublicSessionFilter:
        _, starts, ends = PARTS.get(self.part, ("", None, None))
        return PublicSessionFilter(
            date_from=self.day,
            date_to=self.day,
            time_from=starts,
            time_to=ends,
            session_type_id=self.session_type_id,
            location_id=self.location_id,
            instructor_id=self.instructor_id,
        )

    def query(self) -> str:
        """The filters as an address's query string, to come back to the same list."""
        values = {
            "day": self.day.isoformat() if self.day else "",
            "part": self.part,
            "type": str(self.session_type_id or ""),
            "location": str(self.location_id or ""),
            "instructor": str(self.instructor_id or ""),
        }
        return urlencode({k: v for k, v in values.items() if v})


def _uuid(value: str, name: str, errors: dict[str, str]) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        errors[name] = "Choose one of the list."
        return None


def parse_filters(params: Mapping[str, str]) -> tuple[Filters, dict[str, str]]:
    """The filters of a query string and, by field, what is wrong with any of them."""
    errors: dict[str, str] = {}
    day = None
    if raw := params.get("day", "").strip():
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            errors["day"] = "Give a date as YYYY-MM-DD."
    part = params.get("part", "").strip()
    if part and part not in PARTS:
        errors["part"] = "Choose morning, afternoon or evening."
        part = ""
    filters = Filters(
        day=day,
        part=part,
        session_type_id=_uuid(params.get("type", "").strip(), "type", errors),
        location_id=_uuid(params.get("location", "").strip(), "location", errors),
        instructor_id=_uuid(params.get("instructor", "").strip(), "instructor", errors),
    )
    return filters, errors


@dataclass(frozen=True)
class Mine:
    """The member's own active booking of a session."""

    booking_id: uuid.UUID
    status: BookingStatus
    waitlist_place: int | None


@dataclass(frozen=True)
class Row:
    session: PublicSession
    day: str
    starts: str
    ends: str
    mine: Mine | None = None


@dataclass
class Day:
    label: str
    rows: list[Row] = field(default_factory=list)


def formats_of(locations: list[Any], currency: str | None) -> dict[uuid.UUID, Formats]:
    return {loc.id: Formats.of(loc, currency) for loc in locations}


def _days(
    sessions: list[PublicSession], fmts: dict[uuid.UUID, Formats], mine: dict[uuid.UUID, Mine]
) -> list[Day]:
    """Sessions grouped under their local day, in the order the service gives (by start)."""
    days: list[Day] = []
    for s in sessions:
        fmt = fmts.get(s.location_id) or Formats(timezone=s.timezone)
        label = fmt.day(s.starts_at)
        if not days or days[-1].label != label:
            days.append(Day(label))
        days[-1].rows.append(
            Row(s, label, fmt.time(s.starts_at), fmt.time(s.ends_at), mine.get(s.id))
        )
    return days


def _instructors(sessions: list[PublicSession]) -> list[tuple[uuid.UUID, str]]:
    found = {s.instructor_id: s.instructor_name for s in sessions if s.instructor_id}
    return sorted(((i, n or "") for i, n in found.items()), key=lambda pair: pair[1])


def timetable(
    container: Services,
    slug: str,
    filters: Filters,
    mine: dict[uuid.UUID, Mine] | None = None,
) -> dict[str, Any]:
    """Worker thread. The provider, its locations, the filters' choices and the sessions."""
    provider = browse.provider(uow=container.read_uow(), slug=slug)
    locations = browse.locations(uow=container.read_uow(), slug=slug, limit=50, offset=0).items
    types = browse.session_types(uow=container.read_uow(), slug=slug, limit=100, offset=0).items
    upcoming = browse.sessions(
        uow=container.read_uow(),
        slug=slug,
        f=PublicSessionFilter(),
        limit=_OPTIONS_FROM,
        offset=0,
    ).items
    chosen = browse.sessions(
        uow=container.read_uow(), slug=slug, f=filters.browse(), limit=SHOWN, offset=0
    )
    fmts = formats_of(locations, provider.currency)
    return {
        "provider": provider,
        "locations": locations,
        "types": types,
        "instructors": _instructors(upcoming),
        "parts": {key: label for key, (label, _, _) in PARTS.items()},
        "filters": filters,
        "days": _days(chosen.items, fmts, mine or {}),
        "more": chosen.next_offset is not None,
    }


def my_bookings_by_session(container: Services, claims: AccessClaims) -> dict[uuid.UUID, Mine]:
    """The member's active upcoming bookings, by session, with their place in line."""
    page = me_service.bookings(
        uow=container.read_uow(), claims=claims, upcoming=True, limit=200, offset=0
    )
    mine: dict[uuid.UUID, Mine] = {}
    for b in page.items:
        if b.status in (BookingStatus.CANCELLED, BookingStatus.DECLINED):
            continue
        mine[b.session_id] = Mine(b.id, b.status, _place(container, claims, b))
    return mine


def _place(container: Services, claims: AccessClaims, booking: MyBooking) -> int | None:
    if booking.status not in _WAITING:
        return None
    seen = me_service.session(
        uow=container.read_uow(), claims=claims, session_id=booking.session_id
    ).my_booking
    return seen.waitlist_place if seen is not None else None


def member_timetable(container: Services, claims: AccessClaims, filters: Filters) -> dict[str, Any]:
    """Worker thread. The member's provider's timetable with their own bookings marked."""
    slug = tenants.get_tenant(uow=container.read_uow(), claims=claims).slug
    return timetable(container, slug, filters, my_bookings_by_session(container, claims))


def location_page(container: Services, slug: str, location_id: uuid.UUID) -> dict[str, Any]:
    """Worker thread. A location with its hours and its next sessions."""
    provider = browse.provider(uow=container.read_uow(), slug=slug)
    location = browse.location(uow=container.read_uow(), slug=slug, location_id=location_id)
    fmt = Formats.of(location, provider.currency)
    upcoming = browse.sessions(
        uow=container.read_uow(),
        slug=slug,
        f=PublicSessionFilter(location_id=location_id),
        limit=10,
        offset=0,
    ).items
    return {
        "provider": provider,
        "location": location,
        "hours": opening_hours(location),
        "closures": [(fmt.date(c.starts_on), fmt.date(c.ends_on), c) for c in location.closures],
        "days": _days(upcoming, {location.id: fmt}, {}),
    }


def opening_hours(location: PublicLocation) -> list[tuple[str, str]]:
    """Each weekday with its hours as the location keeps them ("06:00–22:00", "Closed")."""
    hours = location.opening_hours
    rows = []
    for day in WEEKDAYS:
        intervals = hours.day(day) if hours is not None else []
        text = ", ".join(f"{i.opens}–{i.closes}" for i in intervals) or "Closed"
        rows.append((WEEKDAY_NAMES[day], text))
    return rows


def provider_page(container: Services, slug: str) -> dict[str, Any]:
    """Worker thread. The provider's name and its locations with their hours."""
    provider = browse.provider(uow=container.read_uow(), slug=slug)
    locations = browse.locations(uow=container.read_uow(), slug=slug, limit=50, offset=0).items
    return {
        "provider": provider,
        "locations": [(loc, opening_hours(loc)) for loc in locations],
    }
