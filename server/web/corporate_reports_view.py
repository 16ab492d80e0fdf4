"""What the console's corporate report page shows: the report's figures as display cells
(a hidden count reads "<11" when too few people, "–" when hidden to protect another),
the filters' choices, and the trend's chart."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from server.api.deps import Services
from server.corporate_reports import rules, service
from server.ports.identity import AccessClaims
from server.web.formatting import Formats

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass
class Chosen:
    first: date | None = None
    last: date | None = None
    department_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    raw: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _month(value: str) -> date | None:
    found = _MONTH.match(value)
    if not found or not 2000 <= int(found.group(1)) <= 2100:
        return None
    return date(int(found.group(1)), int(found.group(2)), 1)


def parse(params: Mapping[str, str]) -> Chosen:
    chosen = Chosen(raw={k: params.get(k, "") for k in ("from", "to", "department", "location")})
    for key, attr in (("from", "first"), ("to", "last")):
        text = params.get(key, "").strip()
        if text:
            month = _month(text)
            if month is None:
                chosen.errors[key] = "Choose a month (year and month)."
            setattr(chosen, attr, month)
    for key, attr in (("department", "department_id"), ("location", "location_id")):
        text = params.get(key, "").strip()
        if text:
            try:
                setattr(chosen, attr, uuid.UUID(text))
            except ValueError:
                chosen.errors[key] = "Choose one from the list."
    return chosen


def _shown(cell: service.Cell, minimum: int, fmt: Formats) -> dict[str, Any]:
    if cell.value is not None:
        return {"text": fmt.number(cell.value), "hidden": None}
    if cell.why == "small":
        return {"text": f"<{minimum}", "hidden": "small"}
    return {"text": "–", "hidden": "complement"}


def _share(value: float | None, fmt: Formats) -> str:
    return "" if value is None else fmt.percent(value)


def choices(container: Services, claims: AccessClaims, account_id: uuid.UUID) -> dict[str, Any]:
    name, depts, locs = service.filter_choices(container.read_uow, claims, account_id)
    return {"account_name": name, "departments": depts, "locations": locs}


def report_view(
    container: Services, claims: AccessClaims, account_id: uuid.UUID, chosen: Chosen
) -> dict[str, Any]:
    fmt = Formats()
    found = service.report(
        container.read_uow,
        claims,
        account_id,
        first=chosen.first,
        last=chosen.last,
        department_id=chosen.department_id,
        location_id=chosen.location_id,
    )
    k = found.min_group
    # The form shows the months the report covers when none were chosen (ISO, as
    # <input type="month"> takes them).
    chosen.raw["from"] = chosen.raw.get("from") or f"{found.first.year:04d}-{found.first.month:02d}"
    chosen.raw["to"] = chosen.raw.get("to") or f"{found.last.year:04d}-{found.last.month:02d}"
    figures = [key for key, *_ in rules.FIGURES]
    labels = {key: label for key, label, _of in rules.FIGURES}

    def group(row: service.GroupRow) -> dict[str, Any]:
        return {"name": row.name, "cells": [_shown(row.cells[f], k, fmt) for f in figures]}

    trend_rows = [
        {
            "month": fmt.month(m.month),
            "eligible": _shown(m.eligible, k, fmt),
            "active": _shown(m.active, k, fmt),
            "share": _share(m.share, fmt),
        }
        for m in found.trend
    ]
    chart = {
        "type": "line",
        "percent": True,
        "labels": [fmt.month(m.month) for m in found.trend],
        "datasets": [
            {
                "label": "Active, of the eligible",
                "data": [None if m.share is None else round(m.share * 100, 1) for m in found.trend],
            }
        ],
    }
    return {
        "report": found,
        "period": f"{fmt.month(found.first)} – {fmt.month(found.last)}",
        "min_group": k,
        "figure_labels": [labels[f] for f in figures],
        "summary": [
            {
                "label": row.label,
                "count": _shown(row.count, k, fmt),
                "share": _share(row.share, fmt),
                "of": labels.get(row.of or "", "").lower(),
            }
            for row in found.summary
        ],
        "by_department": [group(r) for r in found.by_department],
        "by_location": [group(r) for r in found.by_location],
        "bands": [
            {"label": b.label, "count": _shown(b.count, k, fmt), "share": _share(b.share, fmt)}
            for b in found.bands
        ],
        "trend": trend_rows,
        "chart": chart,
        "any_hidden": any(
            c.why for r in (*found.by_department, *found.by_location) for c in r.cells.values()
        )
        or any(r.count.why for r in (*found.summary, *found.bands)),
    }
