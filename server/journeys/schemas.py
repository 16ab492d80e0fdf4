"""API schemas of enrolments, their weeks, history, adjustments and assessments."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.carepath.enrolment import EnrolmentStatus
from shared.carepath.progression import Mix
from shared.enums import Intensity
from shared.inputs import InputModel


class WeekTargetRead(BaseModel):
    minutes: int = 0
    sessions: int = 0
    strength_days: int = 0
    tiles: int = 0


class WeekTargetWrite(InputModel):
    """Targets a coach sets for one week; fields left out keep what the week asks."""

    minutes: int | None = Field(None, ge=0, le=1500)
    sessions: int | None = Field(None, ge=0, le=21)
    strength_days: int | None = Field(None, ge=0, le=7)
    tiles: int | None = Field(None, ge=0, le=50)


class EnrolmentWeekRead(BaseModel):
    week: int
    starts_on: date
    target: WeekTargetRead
    minutes: int
    sessions: int
    strength_days: int
    tiles: int
    dose: float
    met: bool
    paused: bool
    closed: bool


class EnrolmentEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    at: datetime
    by_kind: str
    by: uuid.UUID | None
    reason: str
    detail: dict[str, Any]


class AssessmentDue(BaseModel):
    key: str
    label: str
    unit: str
    low: float
    high: float
    week: int
    value: float | None


class EnrolmentRead(BaseModel):
    id: uuid.UUID
    member_id: uuid.UUID
    template_id: uuid.UUID
    journey: str
    version: int
    status: EnrolmentStatus
    starts_on: date
    ends_on: date
    ended_on: date | None
    weeks_total: int
    current_week: int
    coach_id: uuid.UUID | None
    enrolled_by_kind: str
    adherence: float
    weeks_met: int
    habit_point_on: date | None
    habit_point: dict[str, int]
    intensity_ceiling: str
    #: The journey version's own ceiling: a coach may lower to it, never above.
    journey_intensity_ceiling: str = ""
    adjustments: dict[str, Any]


class EnrolmentDetail(EnrolmentRead):
    weeks: list[EnrolmentWeekRead]
    events: list[EnrolmentEventRead]
    assessments: list[AssessmentDue]


class JourneyOffer(BaseModel):
    """A journey a member may join (or why not)."""

    template_id: uuid.UUID
    name: str
    summary: str
    weeks: int
    counts: list[str]
    intensity_ceiling: str
    allowed: bool
    why_not: str
    #: Suits the member's risk flags (or anyone, for a member with none): shown first.
    recommended: bool = False
    #: Why it is recommended, in words ("Suits: pre-diabetes, overweight").
    reasons: list[str] = []


class OfferPage(BaseModel):
    """Journeys one may join, recommended first (a page of them)."""

    items: list[JourneyOffer]
    next_offset: int | None


class EnrolmentPage(BaseModel):
    items: list[EnrolmentRead]
    next_offset: int | None


class SelfEnrol(InputModel):
    template_id: uuid.UUID
    #: Week 1's first day; default the coming Monday in one's own zone.
    starts_on: date | None = None


class StaffEnrol(InputModel):
    template_id: uuid.UUID
    coach_id: uuid.UUID | None = None
    starts_on: date | None = None


class Transition(InputModel):
    reason: str = Field("", max_length=500)


class Adjustment(InputModel):
    """A coach's change to an enrolment, with why."""

    reason: str = Field(min_length=1, max_length=500)
    intensity_ceiling: Intensity | None = None
    mix: Mix | None = None
    week: int | None = Field(None, ge=1, le=52)
    targets: WeekTargetWrite | None = None


class AssessmentWrite(InputModel):
    key: str = Field(min_length=1, max_length=50)
    week: int = Field(ge=0, le=52)
    value: float = Field(allow_inf_nan=False)


class AssessmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    enrolment_id: uuid.UUID
    week: int
    key: str
    value: float
    recorded_by_kind: str
    at: datetime
