"""What the Tiles and Circles pages show, gathered through the domain services with the
caller's claims (worker thread): a member's library and day, a Tile's steps, the circles
a member may be in with their announcements; the console's circles with their members."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from server.api.deps import Services
from server.challenges import service as challenges
from server.circles import membership
from server.circles import service as circles
from server.circles.schemas import AnnouncementRead, CircleRead
from server.errors import NotFound
from server.ports.identity import AccessClaims
from server.tenants import service as tenants
from server.tiles import service as tiles
from server.tiles.rules import DAILY_CAP
from server.web.formatting import Formats
from server.web.timetable_view import formats_of

#: Circles and announcements a page shows at most: a tenant's circles are few.
PAGE = 100


def _formats(container: Services, claims: AccessClaims) -> tuple[dict[uuid.UUID, Formats], Formats]:
    """Each location's way of writing dates, and the first location's for the rest."""
    tenant = tenants.get_tenant(uow=container.read_uow(), claims=claims)
    locations = tenants.list_locations(
        uow=container.read_uow(), claims=claims, limit=200, offset=0
    ).items
    fmts = formats_of(locations, tenant.currency)
    first = fmts[locations[0].id] if locations else Formats()
    return fmts, first


# --- Tiles (member app) --------------------------------------------------------------------


def tiles_index(container: Services, claims: AccessClaims) -> dict[str, Any]:
    mine = tiles.my_tiles(uow=container.uow(), claims=claims, limit=200, offset=0)
    done = {d.tile_id for d in mine.done_today}
    return {
        "tiles": mine.items,
        "done_ids": done,
        "done_count": len(mine.done_today),
        "cap": DAILY_CAP,
    }


def tile_page(container: Services, claims: AccessClaims, tile_id: uuid.UUID) -> dict[str, Any]:
    tile = tiles.my_tile(uow=container.uow(), claims=claims, tile_id=tile_id)
    mine = tiles.my_tiles(uow=container.uow(), claims=claims, limit=1, offset=0)
    return {
        "tile": tile,
        "done_count": len(mine.done_today),
        "done_here": sum(1 for d in mine.done_today if d.tile_id == tile_id),
        "cap": DAILY_CAP,
        # A new id each time the page is shown: the form posts it, so a double click or a
        # resubmitted form records the completion once.
        "completion_id": uuid.uuid4(),
    }


def complete(
    container: Services, claims: AccessClaims, tile_id: uuid.UUID, completion_id: uuid.UUID
) -> bool:
    done = tiles.complete_tile(
        uow=container.uow(),
        claims=claims,
        tile_id=tile_id,
        completion_id=completion_id,
    )
    return done.created


# --- Circles (member app) ------------------------------------------------------------------


@dataclass(frozen=True)
class MemberCircle:
    circle: CircleRead
    joined: bool
    #: Where it meets, or None for the whole tenant.
    place: str | None


def member_circles(container: Services, claims: AccessClaims) -> dict[str, Any]:
    """The circles the member is in, then the open ones they may join, each by name."""
    places = {
        loc.id: loc.name
        for loc in tenants.list_locations(
            uow=container.read_uow(), claims=claims, limit=200, offset=0
        ).items
    }
    mine = membership.my_circles(uow=container.uow(), claims=claims, limit=PAGE, offset=0)
    joined = {m.circle.id for m in mine.items}
    open_ones = circles.list_circles(
        uow=container.uow(),
        claims=claims,
        interest=None,
        location_id=None,
        include_archived=False,
        limit=PAGE,
        offset=0,
    ).items

    def shown(c: CircleRead, member: bool) -> MemberCircle:
        return MemberCircle(c, member, places.get(c.location_id) if c.location_id else None)

    return {
        "mine": [shown(m.circle, True) for m in mine.items],
        "others": [shown(c, False) for c in open_ones if c.id not in joined],
    }


@dataclass(frozen=True)
class Said:
    title: str
    body: str
    when: str
    #: The challenge it is about, by name (None: none, or one the reader may not see).
    about: str | None = None


def _said(
    container: Services, claims: AccessClaims, fmt: Formats, items: list[AnnouncementRead]
) -> list[Said]:
    """Announcements as a page shows them, each linked challenge named once."""
    names: dict[uuid.UUID, str | None] = {}
    for challenge_id in {a.challenge_id for a in items if a.challenge_id is not None}:
        try:
            names[challenge_id] = challenges.get_challenge(
                uow=container.uow(), claims=claims, challenge_id=challenge_id
            ).name
        except NotFound:
            names[challenge_id] = None
    return [
        Said(
            a.title,
            a.body,
            fmt.datetime(a.created_at),
            names.get(a.challenge_id) if a.challenge_id else None,
        )
        for a in items
    ]


@dataclass(frozen=True)
class Open:
    id: uuid.UUID
    name: str


def _open_challenges(container: Services, claims: AccessClaims) -> list[Open]:
    """Challenges an announcement may be about: running or still to come."""
    found: list[Open] = []
    for status in ("active", "upcoming"):
        page = challenges.list_challenges(
            uow=container.uow(), claims=claims, status=status, limit=PAGE, offset=0
        )
        found.extend(Open(c.id, c.name) for c in page.items)
    return found


def member_circle(
    container: Services, claims: AccessClaims, circle_id: uuid.UUID
) -> dict[str, Any]:
    circle = circles.get_circle(uow=container.uow(), claims=claims, circle_id=circle_id)
    mine = membership.my_circles(uow=container.uow(), claims=claims, limit=PAGE, offset=0)
    joined = any(m.circle.id == circle_id for m in mine.items)
    said: list[Said] = []
    if joined:
        fmts, first = _formats(container, claims)
        fmt = fmts.get(circle.location_id, first) if circle.location_id else first
        page = circles.announcements(
            uow=container.uow(), claims=claims, circle_id=circle_id, limit=PAGE, offset=0
        )
        said = _said(container, claims, fmt, page.items)
    return {"circle": circle, "joined": joined, "announcements": said}


def join(container: Services, claims: AccessClaims, circle_id: uuid.UUID) -> None:
    membership.join(uow=container.uow(), claims=claims, circle_id=circle_id)


def leave(container: Services, claims: AccessClaims, circle_id: uuid.UUID) -> None:
    membership.leave(uow=container.uow(), claims=claims, circle_id=circle_id)


# --- Circles (console) ---------------------------------------------------------------------


def console_circles(container: Services, claims: AccessClaims) -> dict[str, Any]:
    locations = tenants.list_locations(
        uow=container.read_uow(), claims=claims, limit=200, offset=0
    ).items
    page = circles.list_circles(
        uow=container.uow(),
        claims=claims,
        interest=None,
        location_id=None,
        include_archived=False,
        limit=PAGE,
        offset=0,
    )
    places = {loc.id: loc.name for loc in locations}
    return {
        "circles": [(c, places.get(c.location_id) if c.location_id else None) for c in page.items],
        "locations": locations,
    }


@dataclass(frozen=True)
class InCircle:
    name: str
    since: str


def console_circle(
    container: Services, claims: AccessClaims, circle_id: uuid.UUID
) -> dict[str, Any]:
    circle = circles.get_circle(uow=container.uow(), claims=claims, circle_id=circle_id)
    fmts, first = _formats(container, claims)
    fmt = fmts.get(circle.location_id, first) if circle.location_id else first
    members = circles.list_members(
        uow=container.uow(), claims=claims, circle_id=circle_id, on=None, limit=PAGE, offset=0
    )
    said = circles.announcements(
        uow=container.uow(), claims=claims, circle_id=circle_id, limit=PAGE, offset=0
    )
    return {
        "circle": circle,
        "members": [
            InCircle(f"{m.first_name} {m.last_name}", fmt.date(m.joined_at)) for m in members.items
        ],
        "announcements": _said(container, claims, fmt, said.items),
        "challenges": _open_challenges(container, claims),
    }
