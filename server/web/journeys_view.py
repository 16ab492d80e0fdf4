"""What the console's journey pages show: the library, a template with its weeks and
versions, and the weeks form (with the version a save will make)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from server.api.deps import Services
from server.errors import InvalidInput
from server.journeys import templates as journeys
from server.journeys.template_schemas import PlanBody, TemplateRead, TemplateUpdate
from server.ports.identity import AccessClaims
from server.tenants import service as tenants
from server.web.formatting import Formats
from shared.carepath.matching import label
from shared.carepath.plans import ActivityKind, WeekTarget, from_json, to_json

#: The week fields the form has, with their column headings.
WEEK_FIELDS: tuple[tuple[str, str], ...] = (
    ("minutes", "Minutes"),
    ("sessions", "Sessions"),
    ("strength_days", "Strength days"),
    ("tiles", "Tiles"),
)
COUNTS = {
    ActivityKind.SESSION_TYPE: "Classes",
    ActivityKind.TILE: "Movement Tiles",
    ActivityKind.OUTDOOR: "Outdoor activity",
    ActivityKind.GYM_FLOOR: "Open gym",
}
CEILINGS = {"low": "Low", "moderate": "Moderate", "high": "High", "vigorous": "Vigorous"}


def _formats(container: Services, claims: AccessClaims) -> Formats:
    """The first location's way of writing dates: templates belong to no location."""
    tenant = tenants.get_tenant(uow=container.read_uow(), claims=claims)
    locations = tenants.list_locations(
        uow=container.read_uow(), claims=claims, limit=1, offset=0
    ).items
    return Formats.of(locations[0], tenant.currency) if locations else Formats()


def library(container: Services, claims: AccessClaims) -> dict[str, Any]:
    page = journeys.list_templates(
        uow=container.uow(), claims=claims, include_archived=True, limit=200, offset=0
    )
    return {"templates": page.items, "ceilings": CEILINGS}


@dataclass(frozen=True)
class Version:
    number: int
    made_on: str
    enrolments: int
    current: bool


def template_page(
    container: Services, claims: AccessClaims, template_id: uuid.UUID
) -> dict[str, Any]:
    t = journeys.get_template(uow=container.uow(), claims=claims, template_id=template_id)
    fmt = _formats(container, claims)
    plan = from_json(t.current.plan)
    return {
        "t": t,
        "plan": plan,
        "week_fields": WEEK_FIELDS,
        "ceiling": CEILINGS.get(t.intensity_ceiling, t.intensity_ceiling),
        "indications": [label(k) for k in t.indications],
        "contraindications": [label(k) for k in t.contraindications],
        "counts": [COUNTS[p.kind] for p in plan.permitted],
        "versions": [
            Version(v.version, fmt.day(v.created_at), v.enrolments, v.version == t.current_version)
            for v in reversed(t.versions)
        ],
        "fmt": fmt,
    }


def next_version_notice(t: TemplateRead) -> str | None:
    """What a save will do to the members on the current version, when any are."""
    if not t.current.enrolments:
        return None
    n, m = t.current_version, t.current.enrolments
    members = "1 member stays" if m == 1 else f"{m} members stay"
    return f"Saving makes version {n + 1}: {members} on version {n}."


def weeks_form(
    container: Services,
    claims: AccessClaims,
    template_id: uuid.UUID,
    rows: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The form: the given rows (a form sent back) or the current version's weeks."""
    t = journeys.get_template(uow=container.uow(), claims=claims, template_id=template_id)
    if rows is None:
        plan = from_json(t.current.plan)
        rows = [{f: str(getattr(w, f)) for f, _ in WEEK_FIELDS} for w in plan.weeks]
    return {
        "t": t,
        "rows": rows,
        "week_fields": WEEK_FIELDS,
        "notice": next_version_notice(t),
    }


def save_weeks(
    container: Services, claims: AccessClaims, template_id: uuid.UUID, weeks: list[WeekTarget]
) -> TemplateRead:
    """The current plan with these weeks; the service checks it and picks the version."""
    t = journeys.get_template(uow=container.read_uow(), claims=claims, template_id=template_id)
    data = to_json(from_json(t.current.plan))
    data["weeks"] = [{"week": w.week, **{f: getattr(w, f) for f, _ in WEEK_FIELDS}} for w in weeks]
    try:
        cmd = TemplateUpdate.model_validate({"plan": PlanBody.model_validate(data).model_dump()})
    except ValidationError as exc:
        # Beyond what any week may ask (the rules name the limit): the form again.
        raise InvalidInput("; ".join(str(e["msg"]) for e in exc.errors())) from None
    return journeys.update_template(
        uow=container.uow(), claims=claims, template_id=template_id, cmd=cmd
    )
