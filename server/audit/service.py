"""Use cases of the audit log: owners read it; a job and the CLI purge old entries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement

from server.audit import rules
from server.audit.models import AuditEntry
from server.audit.repository import AuditRepository, purge_before
from server.audit.schemas import AuditEntryPage, AuditEntryRead, AuditFilters, PurgeRead
from server.db.uow import UnitOfWork
from server.errors import Forbidden, InvalidInput
from server.ports.identity import AccessClaims
from server.tenants.repository import tenant_zone
from shared.clock import utcnow
from shared.enums import PrincipalKind, StaffRole


def _owner(claims: AccessClaims) -> None:
    if claims.kind is not PrincipalKind.STAFF or claims.role is not StaffRole.OWNER:
        raise Forbidden("the audit log is for owners")
    # Most entries name no location (members, plans, staff, named actions …), so a view of
    # some locations only cannot be drawn from the log: it is for owners of the whole
    # business. Owners are always tenant-wide today (the staff rules refuse a limited one);
    # this holds should that change.
    if claims.location_ids is not None:
        raise Forbidden("the audit log is for owners of every location")


def entry_read(row: AuditEntry) -> AuditEntryRead:
    return AuditEntryRead(
        id=row.id,
        at=row.at,
        actor_kind=row.actor_kind,
        actor_id=row.actor_id,
        actor_role=row.actor_role,
        actor_name=row.actor_name,
        ip=row.ip,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        fields=", ".join(row.fields or []),
        count=row.count,
    )


def _where(filters: AuditFilters, zone: ZoneInfo) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.actor_id is not None:
        where.append(AuditEntry.actor_id == filters.actor_id)
    if filters.action:
        where.append(AuditEntry.action == filters.action)
    if filters.entity:
        where.append(AuditEntry.entity == filters.entity)
    if filters.entity_id:
        where.append(AuditEntry.entity_id == filters.entity_id)
    if filters.from_day is not None:
        where.append(AuditEntry.at >= datetime.combine(filters.from_day, time(), zone))
    if filters.to_day is not None:
        end = datetime.combine(filters.to_day + timedelta(days=1), time(), zone)
        where.append(AuditEntry.at < end)
    return where


def list_entries(
    *, uow: UnitOfWork, claims: AccessClaims, filters: AuditFilters, limit: int, offset: int
) -> AuditEntryPage:
    """The tenant's entries, newest first (owners only)."""
    _owner(claims)
    if filters.from_day and filters.to_day and filters.from_day > filters.to_day:
        raise InvalidInput("'from' is after 'to'", code="bad_period")
    with uow:
        zone = ZoneInfo(tenant_zone(uow.db, claims.tenant_id))
        rows = AuditRepository(uow.db, claims.tenant_id).page(
            where=_where(filters, zone), limit=limit, offset=offset
        )
    more = len(rows) > limit
    return AuditEntryPage(
        items=[entry_read(row) for row in rows[:limit]],
        next_offset=offset + limit if more else None,
    )


def purge(
    *, uow: UnitOfWork, retention_days: int, clock: Callable[[], datetime] = utcnow
) -> PurgeRead:
    """Delete the entries older than the retention period (every tenant's); a retention
    under the database's floor is refused."""
    problem = rules.retention_problem(retention_days)
    if problem:
        raise InvalidInput(problem, code="retention_too_short")
    cutoff = rules.purge_cutoff(clock(), retention_days)
    with uow:
        deleted = purge_before(uow.db, cutoff)
        uow.commit()
    return PurgeRead(cutoff=cutoff, deleted=deleted)


def purge_job(*, make_uow: Callable[[], UnitOfWork], retention_days: int) -> None:
    purge(uow=make_uow(), retention_days=retention_days)
