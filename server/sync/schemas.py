"""API schemas of review items (the wire messages of sync live in ``shared.sync``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.inputs import InputModel


class ReviewItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    location_id: uuid.UUID
    kind: str
    member_id: uuid.UUID | None
    checkin_id: uuid.UUID | None
    device_id: uuid.UUID | None
    mutation_id: int | None
    summary: str
    status: Literal["open", "resolved"]
    resolution_note: str | None
    resolved_by: uuid.UUID | None
    created_at: datetime
    resolved_at: datetime | None


class ReviewItemPage(BaseModel):
    items: list[ReviewItemRead]
    next_offset: int | None


class ReviewItemResolve(InputModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=1000, description="What was done about it")


class KioskReviewResolve(InputModel):
    """A kiosk resolves one of its location's review items for the staff member whose PIN
    was entered there."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=1000, description="What was done about it")
    staff_id: uuid.UUID = Field(description="The staff member at the kiosk")
