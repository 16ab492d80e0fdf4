"""Data access for tenants and locations."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from server.db.repository import TenantRepository
from server.errors import NotFound
from server.tenants.models import Location, Tenant


def tenant_by_slug(session: Session, slug: str) -> Tenant | None:
    tenant: Tenant | None = session.execute(
        select(Tenant).where(Tenant.slug == slug)
    ).scalar_one_or_none()
    return tenant


class TenantDirectory:
    """The tenant row of the caller's own tenant, and nobody else's."""

    def __init__(self, session: Session, tenant_id: uuid.UUID) -> None:
        self.session, self.tenant_id = session, tenant_id

    def current(self) -> Tenant:
        tenant = self.session.get(Tenant, self.tenant_id)
        if tenant is None:
            raise NotFound("your tenant no longer exists")
        return tenant


class LocationRepository(TenantRepository[Location]):
    model = Location
    noun = "location"

    @classmethod
    def _criteria(cls) -> tuple[ColumnElement[bool], ...]:
        return (Location.archived_at.is_(None),)
