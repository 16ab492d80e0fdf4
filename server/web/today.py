"""What the console's Today shows: each location the account sees, on its local day, with
its sessions and their counts, door visits, kiosks and open review items. Built from the
services the API's overview, device and review-item routes call, scoped the same way."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from server.api.deps import Services
from server.bookings import overview_service
from server.bookings.schemas import LocationDay, TodaySession
from server.devices import service as devices
from server.devices.schemas import DeviceRead
from server.ports.identity import AccessClaims
from server.sync import review, status
from server.sync.schemas import ReviewItemRead
from server.tenants import service as tenants
from server.web.formatting import Formats
from shared.clock import utcnow

#: A page of devices or review items: more than a location's kiosks or a day's open items.
_PAGE = 200
#: Review items listed per location; the rest are counted.
SHOWN_REVIEW_ITEMS = 5


#: A kiosk that has not been in touch for this long is shown offline. A running kiosk pulls
#: at least every 20 s or so and the server keeps its time of contact to the minute.
ONLINE_WITHIN = timedelta(minutes=2)


@dataclass(frozen=True)
class Kiosk:
    name: str
    online: bool
    #: The kiosk's last contact (pull, push or token) in the location's time, or None.
    last_sync: str | None
    #: Changes waiting in its outbox as it last reported them (None: never reported).
    pending: int | None
    #: When the oldest of them was made, in the location's time (None: none waiting).
    pending_since: str | None


@dataclass(frozen=True)
class LocationToday:
    day: LocationDay
    #: How the location writes its dates and times, and its local day so written.
    fmt: Formats
    date: str
    sessions: list[TodaySession]
    kiosks: list[Kiosk]
    open_review_items: int
    review_items: list[ReviewItemRead]


def _when(at: datetime, fmt: Formats, now: datetime) -> str:
    """A time today, else a date and time: "14:30", "4 Dec 2026, 09:12"."""
    if fmt.local(at).date() == fmt.local(now).date():
        return fmt.time(at)
    return fmt.datetime(at)


def _kiosk(device: DeviceRead, pushed: datetime | None, fmt: Formats, now: datetime) -> Kiosk:
    contacts = [t for t in (device.last_seen_at, pushed) if t is not None]
    last = max(contacts) if contacts else None
    waiting = device.pending_count
    since = device.oldest_pending_at if waiting else None
    return Kiosk(
        name=device.name,
        online=last is not None and now - last <= ONLINE_WITHIN,
        last_sync=_when(last, fmt, now) if last else None,
        pending=waiting,
        pending_since=_when(since, fmt, now) if since else None,
    )


def locations_today(container: Services, claims: AccessClaims) -> list[LocationToday]:
    """Worker thread. A kiosk is online while it has been in touch lately: it pulls every
    few seconds while it runs, and tells its outbox's pending count as it does."""
    now = utcnow()
    overview = overview_service.today(uow=container.read_uow(), claims=claims)
    kiosks = [
        d
        for d in devices.list_devices(
            uow=container.read_uow(), claims=claims, limit=_PAGE, offset=0
        ).items
        if d.revoked_at is None
    ]
    pushed = status.last_pushes(
        uow=container.read_uow(), tenant_id=claims.tenant_id, device_ids=[d.id for d in kiosks]
    )
    items = review.list_review_items(
        uow=container.read_uow(),
        claims=claims,
        status=review.OPEN,
        location_id=None,
        limit=_PAGE,
        offset=0,
    ).items
    # Today writes no money: the locations' formats need no tenant currency.
    formats = {
        loc.id: Formats.of(loc)
        for loc in tenants.list_locations(
            uow=container.read_uow(), claims=claims, limit=_PAGE, offset=0
        ).items
    }
    by_location: dict[uuid.UUID, list[TodaySession]] = {}
    for session in overview.sessions:
        by_location.setdefault(session.location_id, []).append(session)
    result = []
    for day in overview.locations:
        fmt = formats.get(day.location_id) or Formats(timezone=day.timezone)
        shown = [
            _kiosk(device, pushed.get(device.id), fmt, now)
            for device in kiosks
            if device.location_id == day.location_id
        ]
        open_items = [i for i in items if i.location_id == day.location_id]
        result.append(
            LocationToday(
                day=day,
                fmt=fmt,
                date=fmt.day(date.fromisoformat(day.date)),
                sessions=by_location.get(day.location_id, []),
                kiosks=sorted(shown, key=lambda k: k.name),
                open_review_items=len(open_items),
                review_items=open_items[:SHOWN_REVIEW_ITEMS],
            )
        )
    return result
