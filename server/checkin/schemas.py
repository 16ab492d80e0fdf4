"""API schemas of check-ins."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from server.api.bodies import Patching, Replacing
from shared.door_rules import (
    DEFAULT_CLASS_CHECKIN_OPENS_MINUTES,
    DEFAULT_REENTRY_MINUTES,
    MAX_WINDOW_MINUTES,
)
from shared.enums import CheckinMethod
from shared.inputs import InputModel


class CheckinCreate(InputModel):
    model_config = ConfigDict(extra="forbid")
    member_id: uuid.UUID
    location_id: uuid.UUID | None = Field(
        None, description="Staff only: where the member is; a kiosk uses its own location"
    )
    method: CheckinMethod
    occurred_at: AwareDatetime | None = Field(
        None, description="When the member came in; default now. Far-future times are clamped"
    )
    override_reason: str | None = Field(
        None,
        min_length=3,
        max_length=300,
        description="Staff only: admit although refused, and why. Recorded with who did it",
    )
    pass_id: uuid.UUID | None = Field(None, description="The QR pass shown, if any")


class CheckinRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    member_id: uuid.UUID
    location_id: uuid.UUID
    membership_id: uuid.UUID | None
    pass_id: uuid.UUID | None
    method: CheckinMethod
    admitted: bool
    reason: str
    override_by: uuid.UUID | None
    override_reason: str | None
    occurred_at: datetime
    recorded_at: datetime
    device_id: uuid.UUID | None
    staff_id: uuid.UUID | None
    repeat_of: uuid.UUID | None = Field(
        None,
        description="A re-entry within the re-entry window: the admission whose visit this "
        "is. It took no credit and counts as no visit",
    )


class CheckinResult(CheckinRead):
    """The answer at the door: the recorded check-in and what to tell the member."""

    warning: str | None = Field(description="Admitted, but worth saying, e.g. a visit limit")
    occurred_at_clamped: bool = Field(
        description="The given time was more than 5 minutes ahead of the server and was "
        "replaced by the server's time"
    )


class CheckinPage(BaseModel):
    items: list[CheckinRead]
    next_offset: int | None


class CheckinPolicyBody(InputModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)
    reentry_window_minutes: int = Field(
        DEFAULT_REENTRY_MINUTES,
        ge=0,
        le=MAX_WINDOW_MINUTES,
        description="A member admitted again at the same location within this many minutes "
        "is already in: admitted, without a credit or a visit. 0 turns this off",
    )
    class_checkin_opens_minutes: int = Field(
        DEFAULT_CLASS_CHECKIN_OPENS_MINUTES,
        ge=0,
        le=MAX_WINDOW_MINUTES,
        description="A class can be checked into from this many minutes before its start "
        "until its end",
    )


class CheckinPolicyReplace(Replacing, CheckinPolicyBody):
    """The whole check-in policy, every field sent (``PUT``)."""


class CheckinPolicyPatch(Patching, CheckinPolicyBody):
    """The fields of the check-in policy to change (``PATCH``)."""


class CheckinPolicyRead(CheckinPolicyBody):
    model_config = ConfigDict(from_attributes=True)
    updated_at: datetime | None
