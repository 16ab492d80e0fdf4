"""What the migration-in API takes and answers."""

from __future__ import annotations

from pydantic import BaseModel


class MappingSuggestion(BaseModel):
    entity: str
    #: The file's headers as written, in order.
    headers: list[str]
    #: Each header's suggested field ("" to ignore the column).
    mapping: dict[str, str]
    fields: list[str]
    required: list[str]


class ImportRowRead(BaseModel):
    line: int
    external_id: str
    #: created, updated, unchanged or error
    outcome: str
    message: str = ""


class ImportCounts(BaseModel):
    created: int
    updated: int
    unchanged: int
    error: int


class ImportReportRead(BaseModel):
    entity: str
    source_system: str
    dry_run: bool
    #: Whether the rows were written: not on a dry run, and not when a row was bad unless
    #: the good rows were to be applied.
    applied: bool
    counts: ImportCounts
    rows: list[ImportRowRead]
