"""What the console's Audit page shows: the filter read from the address (each field's
problem next to it), a page of the tenant's entries, and the formats of the tenant's first
location (where times are written)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from server.api.deps import Services
from server.audit import rules as audit_rules
from server.audit import service as audit_service
from server.audit.schemas import AuditFilters
from server.ports.identity import AccessClaims
from server.tenants import service as tenants
from server.web.filter_form import FilterForm, day_field
from server.web.formatting import Formats

PAGE = 50
_MAX_OFFSET = 2**31 - 1
#: The actions offered in the form (a named action may be typed too, as the API takes).
ACTIONS = (
    audit_rules.CREATE,
    audit_rules.UPDATE,
    audit_rules.DELETE,
    audit_rules.BULK_CREATE,
    *audit_rules.NAMED_ACTIONS,
)
_KINDS = {
    "staff": "Staff",
    "member": "Member",
    "device": "Kiosk",
    "corporate_admin": "Corporate admin",
    "system": "System",
}


@dataclass
class AuditForm(FilterForm):
    filters: AuditFilters = field(default_factory=AuditFilters)
    offset: int = 0


def parse_form(params: Any) -> AuditForm:
    names = ("actor", "action", "entity", "entity_id", "from", "to")
    values = {name: (params.get(name) or "").strip()[:120] for name in names}
    errors: dict[str, str] = {}
    actor: uuid.UUID | None = None
    if values["actor"]:
        try:
            actor = uuid.UUID(values["actor"])
        except ValueError:
            errors["actor"] = "Give the actor's id (as shown in the table)."
    from_day = day_field(values["from"], "from", errors)
    to_day = day_field(values["to"], "to", errors)
    if from_day and to_day and from_day > to_day:
        errors["to"] = "The last day comes before the first."
    raw_offset = (params.get("offset") or "0").strip()
    offset = int(raw_offset) if raw_offset.isdigit() and len(raw_offset) < 10 else 0
    filters = AuditFilters(
        actor_id=actor,
        action=values["action"] or None,
        entity=values["entity"] or None,
        entity_id=values["entity_id"] or None,
        from_day=from_day,
        to_day=to_day,
    )
    return AuditForm(values, errors, filters, min(offset, _MAX_OFFSET))


def who(kind: str, role: str | None, name: str | None) -> str:
    label = _KINDS.get(kind, kind)
    if role:
        return f"{label} ({role.replace('_', ' ')})"
    return f"{label} ({name})" if name else label


def audit_view(container: Services, claims: AccessClaims, form: AuditForm) -> dict[str, Any]:
    """Worker thread. Owners only (the service refuses others)."""
    tenant = tenants.get_tenant(uow=container.read_uow(), claims=claims)
    places = tenants.list_locations(uow=container.read_uow(), claims=claims, limit=1, offset=0)
    fmt = Formats.of(places.items[0], tenant.currency) if places.items else Formats()
    if form.errors:
        return {"tenant": tenant, "fmt": fmt, "entries": [], "next_offset": None}
    page = audit_service.list_entries(
        uow=container.uow(), claims=claims, filters=form.filters, limit=PAGE, offset=form.offset
    )
    return {
        "tenant": tenant,
        "fmt": fmt,
        "entries": page.items,
        "next_offset": page.next_offset,
    }
