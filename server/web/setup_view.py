"""What the set-up pages show besides a kind's own form (worker thread): the choices its
fields offer, a location's closures, a session type's instructors, the kiosks."""

from __future__ import annotations

import uuid
from typing import Any

from server.api.deps import Services
from server.devices import service as devices
from server.ports.identity import AccessClaims
from server.scheduling import closures
from server.scheduling import service as scheduling
from server.staff import service as staff
from server.tenants import service as tenants
from server.web import setup_profiles
from server.web.formatting import Formats
from server.web.setup_kinds import PAGE, Context, location_in_scope, visible_locations
from shared.enums import StaffRole

#: Who may lead a session type's sessions (the scheduling service checks it again).
LEADERS = frozenset({StaffRole.COACH, StaffRole.MANAGER, StaffRole.OWNER})


def context(container: Services, claims: AccessClaims) -> Context:
    tenant = tenants.get_tenant(uow=container.read_uow(), claims=claims)
    locations = visible_locations(container, claims)
    fmt = Formats.of(locations[0], tenant.currency) if locations else Formats(currency=None)
    return Context(
        locations=locations,
        currency=tenant.currency,
        fmt=fmt,
        profiles=setup_profiles.choices(container, claims),
    )


def location_closures(
    container: Services, claims: AccessClaims, location_id: uuid.UUID
) -> dict[str, Any]:
    location = location_in_scope(container, claims, location_id)
    page = closures.list_closures(
        uow=container.read_uow(),
        claims=claims,
        location_id=location_id,
        include_past=False,
        limit=PAGE,
        offset=0,
    )
    return {"closures": page.items, "fmt": Formats.of(location)}


def instructors(container: Services, claims: AccessClaims, type_id: uuid.UUID) -> dict[str, Any]:
    chosen = scheduling.get_instructors(uow=container.uow(), claims=claims, session_type_id=type_id)
    everyone = staff.list_staff(uow=container.read_uow(), claims=claims, limit=PAGE, offset=0)
    return {
        "leaders": [s for s in everyone.items if s.active and s.role in LEADERS],
        "leading": {i.id for i in chosen.instructors},
    }


def extra_of(
    container: Services, claims: AccessClaims, key: str, item_id: uuid.UUID
) -> dict[str, Any]:
    """What an edit page shows under its form."""
    if key == "locations":
        return location_closures(container, claims, item_id)
    if key == "session-types":
        return instructors(container, claims, item_id)
    if key == "profiles":
        return setup_profiles.history(container, claims, item_id)
    return {}


def kiosks(container: Services, claims: AccessClaims) -> dict[str, Any]:
    ctx = context(container, claims)
    page = devices.list_devices(uow=container.read_uow(), claims=claims, limit=PAGE, offset=0)
    where = {loc.id: loc for loc in ctx.locations}
    # A location-limited manager sees the kiosks of their locations only.
    shown = [d for d in page.items if d.location_id in where]
    return {
        "locations": ctx.locations,
        "devices": [(d, where[d.location_id], Formats.of(where[d.location_id])) for d in shown],
    }
