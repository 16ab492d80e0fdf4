"""What the console's Today shows: each location the account sees, on its local day, with
its sessions and their counts, door visits, kiosks and open review items. Built from the
services the API's overview, device and review-item routes call, scoped the same way."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from server.api.deps import Services
from server.bookings import overview_service
from server.bookings.schemas import LocationDay, TodaySession
from server.devices import service as devices
from server.ports.identity import AccessClaims
from server.sync import review, status
from server.sync.schemas import ReviewItemRead
from shared.clock import utcnow

#: A page of devices or review items: more than a location's kiosks or a day's open items.
_PAGE = 200
#: Review items listed per location; the rest are counted.
SHOWN_REVIEW_ITEMS = 5


@dataclass(frozen=True)
class Kiosk:
    name: str
    online: bool
    #: The kiosk's last contact (token or applied push) in the location's time, or None.
    last_sync: str | None


@dataclass(frozen=True)
class LocationToday:
    day: LocationDay
    sessions: list[TodaySession]
    kiosks: list[Kiosk]
    open_review_items: int
    review_items: list[ReviewItemRead]


def _when(at: datetime, zone: ZoneInfo, now: datetime) -> str:
    local = at.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return local.strftime("%H:%M")
    return local.strftime("%d %b %H:%M")


def locations_today(container: Services, claims: AccessClaims) -> list[LocationToday]:
    """Worker thread. A kiosk is online while it has been in touch within its token's life
    (it renews the token, and pushes, while it runs)."""
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
    online_within = timedelta(seconds=container.settings.device_token_ttl_seconds + 60)
    by_location: dict[uuid.UUID, list[TodaySession]] = {}
    for session in overview.sessions:
        by_location.setdefault(session.location_id, []).append(session)
    result = []
    for day in overview.locations:
        zone = ZoneInfo(day.timezone)
        shown = []
        for device in kiosks:
            if device.location_id != day.location_id:
                continue
            contacts = [t for t in (device.last_seen_at, pushed.get(device.id)) if t is not None]
            last = max(contacts) if contacts else None
            shown.append(
                Kiosk(
                    name=device.name,
                    online=last is not None and now - last <= online_within,
                    last_sync=_when(last, zone, now) if last else None,
                )
            )
        open_items = [i for i in items if i.location_id == day.location_id]
        result.append(
            LocationToday(
                day=day,
                sessions=by_location.get(day.location_id, []),
                kiosks=sorted(shown, key=lambda k: k.name),
                open_review_items=len(open_items),
                review_items=open_items[:SHOWN_REVIEW_ITEMS],
            )
        )
    return result
