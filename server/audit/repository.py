"""Data access of the audit log: a page of a tenant's entries; the retention purge."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from server.audit import rules
from server.audit.models import AuditEntry
from server.db.repository import TenantRepository


class AuditRepository(TenantRepository[AuditEntry]):
    model = AuditEntry
    noun = "audit entry"

    def page(
        self, *, where: list[ColumnElement[bool]], limit: int, offset: int
    ) -> list[AuditEntry]:
        """Newest first; one more than ``limit`` says there is a next page."""
        query = (
            select(AuditEntry)
            .where(AuditEntry.tenant_id == self.tenant_id, *where)
            .order_by(AuditEntry.at.desc(), AuditEntry.id)
            .limit(limit + 1)
            .offset(offset)
        )
        return list(self.db.execute(query).scalars())


def _database_floor(db: Session) -> ColumnElement[Any]:
    """The trigger's own floor, by the database's clock: what it lets a DELETE remove."""
    if db.get_bind().dialect.name == "postgresql":
        return func.now() - timedelta(days=rules.MIN_RETENTION_DAYS)
    # As the SQLite trigger compares: UTC text, in time order.
    return func.datetime("now", f"-{rules.MIN_RETENTION_DAYS} days")


def purge_before(db: Session, cutoff: datetime) -> int:
    """Delete every tenant's entries older than ``cutoff`` (the configured retention). The
    database's floor stays a safety net: the trigger refuses any younger row, and the purge
    leaves such rows alone by the database's own clock, so an application clock ahead of the
    database's keeps them instead of failing the whole purge."""
    result = db.execute(
        delete(AuditEntry).where(AuditEntry.at < cutoff, AuditEntry.at < _database_floor(db))
    )
    return int(getattr(result, "rowcount", 0) or 0)
