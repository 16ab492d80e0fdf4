"""API schemas of nudges and nudge settings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from server.nudges.rules import NudgeKind, parse_clock
from shared.inputs import InputModel


def _clock_text(value: str) -> str:
    parse_clock(value)
    return value


#: A local time of day, "HH:MM" on a 24-hour clock.
Clock = Annotated[str, Field(min_length=5, max_length=5), AfterValidator(_clock_text)]


class NudgeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: NudgeKind
    why: str
    due_at: datetime
    created_at: datetime
    sent_at: datetime | None
    #: Why it was not sent: quiet_hours, cap, opted_out, done_already; null when sent.
    skipped: str | None


class NudgePage(BaseModel):
    items: list[NudgeRead]
    next_offset: int | None


class NudgeSettingsRead(BaseModel):
    opted_out: list[NudgeKind]
    quiet_start: str
    quiet_end: str


class NudgeSettingsWrite(InputModel):
    """The whole of one's nudge settings. Quiet hours run from ``quiet_start`` to
    ``quiet_end`` on one's own clock (over midnight when start is later); equal times turn
    them off."""

    opted_out: list[NudgeKind] = Field(default_factory=list, max_length=len(NudgeKind))
    quiet_start: Clock = "21:00"
    quiet_end: Clock = "08:00"


class NudgePolicyRead(BaseModel):
    weekly_cap: int
    reminder_minutes: int
    lapse_days: int


class NudgePolicyWrite(InputModel):
    #: Nudges per member in any 7 days.
    weekly_cap: int = Field(3, ge=0, le=21)
    #: How long before a booked class its reminder goes.
    reminder_minutes: int = Field(120, ge=30, le=1440)
    #: Days without movement before a lapsed-activity nudge.
    lapse_days: int = Field(7, ge=2, le=60)
