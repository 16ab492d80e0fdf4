"""What the member app's activity import pages show: the history of imports and the report
of one, every date and time in the member's home location's zone and locale."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from server.api.deps import Services
from server.ports.identity import AccessClaims
from server.wearables import service
from server.wearables.files import UNPACKED_PER_PACKED
from server.wearables.models import ActivityImport
from server.web.account_view import places
from server.web.formatting import Formats

PAGE_SIZE = 20
FORMAT_WORDS = {
    "apple_health": "Apple Health",
    "gpx": "GPX",
    "fit": "FIT",
    "google_fit": "Google Fit",
}
TYPE_WORDS = {
    "run": "Run",
    "walk": "Walk",
    "hike": "Hike",
    "cycle": "Ride",
    "swim": "Swim",
    "strength": "Strength",
    "other": "Workout",
}
OUTCOME_WORDS = {
    "kept": "Added",
    "merged_with_visit": "Part of a gym visit",
    "duplicate": "Already recorded",
    "skipped": "Skipped",
}


def _summary(row: ActivityImport, fmt: Formats) -> dict[str, Any]:
    return {
        "id": row.id,
        "filename": row.filename,
        "format": FORMAT_WORDS.get(row.format, row.format),
        "day": fmt.day(row.uploaded_at),
        "time": fmt.time(row.uploaded_at),
        "kept": row.kept,
        "merged": row.merged,
        "skipped": row.skipped,
    }


def _line(line: dict[str, Any], fmt: Formats) -> dict[str, Any]:
    start = line.get("start")
    at = datetime.fromisoformat(start) if isinstance(start, str) else None
    kind = line.get("activity_type")
    distance = line.get("distance_m")
    return {
        "what": TYPE_WORDS.get(kind, "Workout") if kind else line["record"],
        "when": f"{fmt.day(at)}, {fmt.time(at)}" if at else None,
        "minutes": line.get("minutes"),
        "counted": line.get("counted_minutes"),
        "km": fmt.number(round(distance / 1000, 1)) if distance else None,
        "outcome": line["outcome"],
        "outcome_words": OUTCOME_WORDS.get(line["outcome"], line["outcome"]),
        "reason": line.get("reason"),
    }


def history_view(container: Services, claims: AccessClaims, offset: int) -> dict[str, Any]:
    fmt = places(container, claims).home
    rows, next_offset = service.member_imports(
        uow=container.uow(),
        tenant_id=claims.tenant_id,
        member_id=claims.subject_id,
        limit=PAGE_SIZE,
        offset=offset,
    )
    limit = container.settings.activity_import_max_bytes
    return {
        "imports": [_summary(row, fmt) for row in rows],
        "offset": offset,
        "next_offset": next_offset,
        "page_size": PAGE_SIZE,
        "limit_mb": fmt.number(round(limit / (1024 * 1024))),
    }


def report_view(container: Services, claims: AccessClaims, import_id: uuid.UUID) -> dict[str, Any]:
    fmt = places(container, claims).home
    row = service.member_import(
        uow=container.read_uow(),
        tenant_id=claims.tenant_id,
        member_id=claims.subject_id,
        import_id=import_id,
    )
    return {"summary": _summary(row, fmt), "lines": [_line(line, fmt) for line in row.report]}


def import_file(container: Services, claims: AccessClaims, filename: str, data: bytes) -> uuid.UUID:
    """The member's own file imported (or its first import, for the same file again)."""
    imported = service.import_activity_file(
        uow=container.uow(),
        tenant_id=claims.tenant_id,
        member_id=claims.subject_id,
        uploaded_by=claims.subject_id,
        filename=filename,
        data=data,
        max_unpacked=container.settings.activity_import_max_bytes * UNPACKED_PER_PACKED,
    )
    return imported.row.id
