"""Public browsing of a provider (US-006, US-011): no sign-in, never any member data."""

from __future__ import annotations

import uuid
from datetime import timedelta

from server.db.uow import UnitOfWork
from server.errors import InvalidInput, NotFound
from server.scheduling.repository import SessionFilter, SessionRepository, SessionTypeRepository
from server.scheduling.schemas import (
    PublicClosure,
    PublicLocation,
    PublicLocationPage,
    PublicProvider,
    PublicSession,
    PublicSessionFilter,
    PublicSessionPage,
    PublicSessionType,
    PublicSessionTypePage,
)
from server.tenants.models import Location, Tenant
from server.tenants.repository import ClosureRepository, LocationRepository, tenant_by_slug
from shared.clock import utcnow
from shared.enums import SessionKind, SessionStatus
from shared.local_times import local
from shared.opening_hours import OpeningHours, OpeningInterval


def provider_or_404(uow: UnitOfWork, slug: str) -> Tenant:
    tenant = tenant_by_slug(uow.db, slug)
    if tenant is None:
        raise NotFound(f"there is no provider '{slug}'")
    return tenant


def provider(*, uow: UnitOfWork, slug: str) -> PublicProvider:
    with uow:
        tenant = provider_or_404(uow, slug)
        return PublicProvider(slug=tenant.slug, name=tenant.name, currency=tenant.currency)


def locations(*, uow: UnitOfWork, slug: str, limit: int, offset: int) -> PublicLocationPage:
    with uow:
        tenant = provider_or_404(uow, slug)
        rows = list(LocationRepository(uow.db, tenant.id).list(limit=limit + 1, offset=offset))
        return PublicLocationPage(
            items=_public_locations(uow, tenant.id, rows[:limit]),
            next_offset=offset + limit if len(rows) > limit else None,
        )


def location(*, uow: UnitOfWork, slug: str, location_id: uuid.UUID) -> PublicLocation:
    with uow:
        tenant = provider_or_404(uow, slug)
        row = LocationRepository(uow.db, tenant.id).get(location_id)
        if row is None:
            raise NotFound(f"location {location_id} was not found")
        return _public_locations(uow, tenant.id, [row])[0]


def _public_locations(
    uow: UnitOfWork, tenant_id: uuid.UUID, rows: list[Location]
) -> list[PublicLocation]:
    """With their hours and their closures from yesterday on (in any zone), in one query."""
    closures = ClosureRepository(uow.db, tenant_id).of_locations(
        [r.id for r in rows], ending_from=utcnow().date() - timedelta(days=1)
    )
    by_location: dict[uuid.UUID, list[PublicClosure]] = {}
    for c in closures:
        by_location.setdefault(c.location_id, []).append(
            PublicClosure(
                name=c.name,
                starts_on=c.starts_on,
                ends_on=c.ends_on,
                closed=not c.hours,
                hours=[OpeningInterval.model_validate(i) for i in c.hours],
            )
        )
    return [
        PublicLocation(
            id=r.id,
            name=r.name,
            address=r.address,
            timezone=r.timezone,
            locale=r.locale,
            currency=r.currency,
            opening_hours=OpeningHours.model_validate(r.opening_hours),
            closures=by_location.get(r.id, []),
        )
        for r in rows
    ]


def session_types(*, uow: UnitOfWork, slug: str, limit: int, offset: int) -> PublicSessionTypePage:
    with uow:
        tenant = provider_or_404(uow, slug)
        rows = SessionTypeRepository(uow.db, tenant.id).search(
            active=True, kind=None, limit=limit + 1, offset=offset
        )
        return PublicSessionTypePage(
            items=[PublicSessionType.model_validate(r) for r in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def sessions(
    *, uow: UnitOfWork, slug: str, f: PublicSessionFilter, limit: int, offset: int
) -> PublicSessionPage:
    """Upcoming scheduled sessions with free places; dates and times are local ones."""
    if f.date_from and f.date_to and f.date_to < f.date_from:
        raise InvalidInput("date_to cannot be before date_from")
    if f.time_from and f.time_to and f.time_to <= f.time_from:
        raise InvalidInput("time_to must be after time_from")
    with uow:
        tenant = provider_or_404(uow, slug)
        query = SessionFilter(
            **f.model_dump(),
            status=SessionStatus.SCHEDULED.value,
            starts_after=utcnow(),
            active_types_only=True,
        )
        rows = SessionRepository(uow.db, tenant.id).search(query, limit=limit + 1, offset=offset)
        items = [
            PublicSession(
                id=s.id,
                session_type_id=t.id,
                session_type_name=t.name,
                kind=SessionKind(t.kind),
                category=t.category,
                location_id=loc.id,
                location_name=loc.name,
                timezone=loc.timezone,
                instructor_id=s.instructor_id,
                instructor_name=staff.name if staff is not None else None,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                starts_at_local=local(s.starts_at, loc.timezone),
                ends_at_local=local(s.ends_at, loc.timezone),
                local_date=s.local_date,
                local_start=s.local_start,
                capacity=s.capacity,
                free_places=max(0, s.capacity - s.confirmed_count),
                waitlist_count=s.waitlist_count,
                room=s.room,
            )
            for s, t, loc, staff in rows[:limit]
        ]
        return PublicSessionPage(
            items=items, next_offset=offset + limit if len(rows) > limit else None
        )
