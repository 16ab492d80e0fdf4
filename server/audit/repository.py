"""Data access of the audit log: a page of a tenant's entries; the retention purge."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

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


def purge_before(db: Session, cutoff: datetime) -> int:
    """Delete every tenant's entries older than ``cutoff``: the one delete the database
    allows (its trigger refuses younger rows)."""
    result = db.execute(delete(AuditEntry).where(AuditEntry.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
