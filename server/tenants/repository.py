"""Data access for tenants and locations."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from server.db.repository import TenantRepository
from server.errors import NotFound
from server.tenants.models import Location, LocationClosure, Tenant
from server.tenants.rules import SLUG
from shared.closures import ClosureDays
from shared.opening_hours import OpeningInterval


def tenant_by_slug(db: Session, slug: str) -> Tenant | None:
    """The tenant with this slug; None for an unknown one or a string no slug can be (such
    as one with a NUL byte, which PostgreSQL would refuse to even compare)."""
    if not SLUG.match(slug):
        return None
    tenant: Tenant | None = db.execute(
        select(Tenant).where(Tenant.slug == slug)
    ).scalar_one_or_none()
    return tenant


def tenant_zone(db: Session, tenant_id: uuid.UUID) -> str:
    """The zone of the tenant's first location (UTC without one): where "today" is for
    what belongs to the tenant rather than to one location."""
    found = db.execute(
        select(Location.timezone)
        .where(Location.tenant_id == tenant_id)
        .order_by(Location.created_at, Location.id)
        .limit(1)
    ).scalar_one_or_none()
    return found or "UTC"


class TenantDirectory:
    """The tenant row of the caller's own tenant, and nobody else's."""

    def __init__(self, db: Session, tenant_id: uuid.UUID) -> None:
        self.db, self.tenant_id = db, tenant_id

    def current(self) -> Tenant:
        tenant = self.db.get(Tenant, self.tenant_id)
        if tenant is None:
            raise NotFound("your tenant no longer exists")
        return tenant


class LocationRepository(TenantRepository[Location]):
    model = Location
    noun = "location"

    @classmethod
    def _criteria(cls) -> tuple[ColumnElement[bool], ...]:
        return (Location.archived_at.is_(None),)


class ClosureRepository(TenantRepository[LocationClosure]):
    model = LocationClosure
    noun = "closure"

    def of_location(
        self, location_id: uuid.UUID, *, ending_from: date | None, limit: int, offset: int
    ) -> list[LocationClosure]:
        """The location's closures in date order; those over before ``ending_from`` left out."""
        query = self._select().where(LocationClosure.location_id == location_id)
        if ending_from is not None:
            query = query.where(LocationClosure.ends_on >= ending_from)
        query = query.order_by(LocationClosure.starts_on, LocationClosure.id)
        return list(self.db.execute(query.limit(limit).offset(offset)).scalars())

    def of_locations(
        self, location_ids: list[uuid.UUID], *, ending_from: date
    ) -> list[LocationClosure]:
        """Closures not over before ``ending_from`` at any of these locations."""
        if not location_ids:
            return []
        query = self._select().where(
            LocationClosure.location_id.in_(location_ids),
            LocationClosure.ends_on >= ending_from,
        )
        return list(self.db.execute(query.order_by(LocationClosure.starts_on)).scalars())

    def of_location_or_404(self, location_id: uuid.UUID, closure_id: uuid.UUID) -> LocationClosure:
        closure = self.get(closure_id)
        if closure is None or closure.location_id != location_id:
            raise NotFound(f"closure {closure_id} was not found")
        return closure


def closure_days(row: LocationClosure) -> ClosureDays:
    """A stored closure as the shared rules read it."""
    return ClosureDays(
        id=row.id,
        name=row.name,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        hours=[OpeningInterval.model_validate(i) for i in row.hours],
    )
