"""HTTP routes of the audit log (owners only)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from server.api.deps import Owner, ReadUowDep
from server.api.exports import FILE_RESPONSES, Column, Export, FormatParam, Table, download
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.audit import service
from server.audit.schemas import AuditEntryPage, AuditEntryRead, AuditFilters
from shared.inputs import Day, Text

router = APIRouter(route_class=ThreadedRoute, tags=["audit"])

Name = Annotated[Text | None, Query(max_length=60)]


def _export(page: AuditEntryPage, filters: AuditFilters) -> Export:
    columns = [
        Column(key, key.replace("_", " ").capitalize()) for key in AuditEntryRead.model_fields
    ]
    shown = [(k.replace("_", " ").capitalize(), str(v)) for k, v in vars(filters).items() if v]
    rows = [item.model_dump(mode="json") for item in page.items]
    return Export("audit", "Audit log", shown, [Table("Entries", columns, rows)])


@router.get("/audit", response_model=AuditEntryPage, responses=FILE_RESPONSES)
def list_audit(
    claims: Owner,
    uow: ReadUowDep,
    actor_id: Annotated[uuid.UUID | None, Query(description="Who acted")] = None,
    action: Name = None,
    entity: Annotated[Text | None, Query(max_length=60, description="The table")] = None,
    entity_id: Annotated[Text | None, Query(max_length=120)] = None,
    from_: Annotated[Day | None, Query(alias="from", description="First local day")] = None,
    to: Annotated[Day | None, Query(description="Last local day")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: FormatParam = "json",
) -> AuditEntryPage | Response:
    """Who changed what, when and from where: the tenant's audit entries, newest first.
    Entries name the fields changed, never their values."""
    filters = AuditFilters(actor_id, action, entity, entity_id, from_, to)
    page = service.list_entries(uow=uow, claims=claims, filters=filters, limit=limit, offset=offset)
    if format == "json":
        return page
    return download(_export(page, filters), format)
