"""Data access for tenants and locations."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from server.db.repository import TenantRepository
from server.errors import NotFound
from server.tenants.models import Location, Tenant
from server.tenants.rules import SLUG


def tenant_by_slug(db: Session, slug: str) -> Tenant | None:
    """The tenant with this slug; None for an unknown one or a string no slug can be (such
    as one with a NUL byte, which PostgreSQL would refuse to even compare)."""
    if not SLUG.match(slug):
        return None
    tenant: Tenant | None = db.execute(
        select(Tenant).where(Tenant.slug == slug)
    ).scalar_one_or_none()
    return tenant


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
