"""Bodies and answers of the privacy routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from server.members.schemas import MemberUpdate
from server.privacy.rules import MAX_DETAILS, RequestKind
from shared.inputs import InputModel, Text


class PrivacyRequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    member_id: uuid.UUID
    kind: RequestKind
    requested_by_kind: str
    requested_by: uuid.UUID
    requested_at: datetime
    completed_at: datetime | None
    details: str | None
    outcome: str | None


class PrivacyRequestPage(BaseModel):
    items: list[PrivacyRequestRead]
    next_offset: int | None


class RectificationAsk(InputModel):
    """What the member says is wrong, in their words."""

    details: Annotated[Text, Field(min_length=1, max_length=MAX_DETAILS)]


class StaffRectification(InputModel):
    """A correction staff make: the member's fields to change, and optionally the member's
    request it answers (which is then marked done)."""

    changes: MemberUpdate
    request_id: uuid.UUID | None = None
    note: Annotated[Text, Field(max_length=500)] | None = None


class ErasureCommand(InputModel):
    """``confirmation`` must be the member's email or full name, as a safeguard."""

    confirmation: Annotated[Text, Field(max_length=320)]


class ErasureRead(BaseModel):
    member_id: uuid.UUID
    request_id: uuid.UUID
    erased_at: datetime
    #: Per table: "deleted N", "kept N (scrubbed: …)".
    tables: dict[str, str]


MemberExport = dict[str, Any]


class MemberPrivacy(BaseModel):
    """What the console's Privacy page of a member shows."""

    member_id: uuid.UUID
    first_name: str
    last_name: str
    email: str | None
    home_location_id: uuid.UUID | None
    erased_at: datetime | None
    requests: list[PrivacyRequestRead]
