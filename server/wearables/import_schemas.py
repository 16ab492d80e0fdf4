"""API schemas of activity imports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ImportLineRead(BaseModel):
    """One record of the file and what became of it."""

    record: str = Field(description="Which record of the file: a workout, track or session")
    outcome: Literal["kept", "merged_with_visit", "duplicate", "skipped"]
    reason: str | None = Field(None, description="Why, in words, when not simply kept")
    activity_type: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    minutes: int | None = Field(None, description="The workout's active minutes in the file")
    counted_minutes: int | None = Field(
        None, description="The minutes added to the ledger (those outside any gym visit)"
    )
    distance_m: int | None = None
    device: str | None = None
    event_id: uuid.UUID | None = Field(None, description="The movement event it became")


class ActivityImportSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    member_id: uuid.UUID
    filename: str
    format: Literal["apple_health", "gpx", "fit", "google_fit"]
    sha256: str
    size: int = Field(description="Bytes")
    uploaded_at: datetime
    uploaded_by: uuid.UUID = Field(description="The member, or the member of staff")
    kept: int = Field(description="Workouts added to the ledger")
    merged: int = Field(description="Workouts recorded already: duplicates, gym visits")
    skipped: int = Field(description="Records not imported, each with its reason")


class ActivityImportRead(ActivityImportSummary):
    report: list[ImportLineRead]


class ActivityImportPage(BaseModel):
    items: list[ActivityImportSummary]
    next_offset: int | None
