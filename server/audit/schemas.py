"""What the audit log's routes answer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel


class AuditEntryRead(BaseModel):
    id: uuid.UUID
    at: datetime
    actor_kind: str
    actor_id: uuid.UUID | None
    actor_role: str | None
    actor_name: str | None
    ip: str | None
    action: str
    entity: str
    entity_id: str | None
    #: Names of the fields written (never their values), comma-separated.
    fields: str
    count: int | None


class AuditEntryPage(BaseModel):
    items: list[AuditEntryRead]
    next_offset: int | None


@dataclass(frozen=True)
class AuditFilters:
    """What the list is narrowed to; days are the tenant's local days, both inclusive."""

    actor_id: uuid.UUID | None = None
    action: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    from_day: date | None = None
    to_day: date | None = None


class PurgeRead(BaseModel):
    cutoff: datetime
    deleted: int
