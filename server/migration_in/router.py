"""HTTP routes of migration in. Thin: parse, call, return."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from server.api.deps import Admin, ContainerDep
from server.api.threaded_route import ThreadedRoute
from server.errors import InvalidInput
from server.members.deps import CsvBody
from server.migration_in import service
from server.migration_in.schemas import ImportReportRead, MappingSuggestion

router = APIRouter(route_class=ThreadedRoute, tags=["migration in"])

EntityName = Literal["members", "memberships", "class_types", "sessions", "bookings", "schedules"]
_CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}


@router.post(
    "/migration-in/{entity}/mapping",
    response_model=MappingSuggestion,
    openapi_extra=_CSV_BODY,
)
def suggest_mapping(entity: EntityName, claims: Admin, data: CsvBody) -> MappingSuggestion:
    """The file's headers and the field each one likely holds (from names and synonyms such
    as "E-mail", "Mobile", "Surname"), to send back, corrected, as the import's mapping."""
    return service.suggest_mapping(claims=claims, entity=entity, data=data)


@router.post(
    "/migration-in/{entity}/import",
    response_model=ImportReportRead,
    openapi_extra=_CSV_BODY,
)
def import_file(
    entity: EntityName,
    claims: Admin,
    data: CsvBody,
    container: ContainerDep,
    source_system: Annotated[str, Query(min_length=1, max_length=60)],
    mapping: Annotated[str, Query(max_length=4000, description="JSON: header → field")],
    date_format: Literal["iso", "dmy", "mdy"] = "iso",
    dry_run: bool = True,
    apply_good_rows: bool = False,
    link_existing_by_email: bool = False,
) -> ImportReportRead:
    """Import another system's CSV export of one entity (UTF-8, commas, semicolons or tabs,
    at most 5 MB): `mapping` maps each header to a field (or "" to ignore it). The report
    gives each row's outcome (created, updated, unchanged or error, by line; the header is
    line 1). Each record keeps the source system's id, so memberships and bookings find
    their members and sessions across files, and a second run of the same file changes
    nothing. A dry run (the default) writes nothing; otherwise a file with a bad row writes
    nothing unless `apply_good_rows`. Members: a row whose email an existing member holds is
    refused, unless `link_existing_by_email`: then that member keeps the row's source id
    and gets only the values they lack."""
    try:
        parsed = json.loads(mapping)
    except ValueError:
        raise InvalidInput("mapping must be a JSON object", code="bad_mapping") from None
    if not isinstance(parsed, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()
    ):
        raise InvalidInput("mapping must map each header to a field name", code="bad_mapping")
    return service.import_file(
        uow=container.uow(),
        claims=claims,
        entity=entity,
        source=source_system,
        data=data,
        mapping=parsed,
        date_format=date_format,
        dry_run=dry_run,
        apply_good_rows=apply_good_rows,
        link_existing_by_email=link_existing_by_email,
    )
