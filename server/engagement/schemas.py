"""API schemas of the movement ledger."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.inputs import InputModel
from shared.movement import MAX_MINUTES_PER_DAY, MovementIntensity, Provenance

_MINUTES = Field(
    ge=0,
    le=MAX_MINUTES_PER_DAY,
    description=f"Minutes of movement: 0–{MAX_MINUTES_PER_DAY}, and at most "
    f"{MAX_MINUTES_PER_DAY} in one member's local day altogether",
)
_ID = Field(
    None,
    description="The caller's own id for the event: sending the same event again with it "
    "answers with the first (200) instead of recording it twice; other facts under a known "
    "id are a 409",
)


class MovementEventCreate(InputModel):
    """A staff entry, or an outdoor activity (a hike, a run) a coach logged, for a member."""

    id: uuid.UUID | None = _ID
    member_id: uuid.UUID
    kind: Literal["staff_entry", "outdoor"]
    minutes: int = _MINUTES
    intensity: MovementIntensity
    occurred_at: AwareDatetime = Field(description="When it happened: not in the future")
    location_id: uuid.UUID | None = None


class SelfReportCreate(InputModel):
    """A member's own report of movement outside the club."""

    id: uuid.UUID | None = _ID
    minutes: int = _MINUTES
    intensity: MovementIntensity
    occurred_at: AwareDatetime = Field(description="When it happened: not in the future")


class MovementVoid(InputModel):
    reason: str = Field(min_length=3, max_length=500, description="Why, kept with the void")


class MovementCorrection(InputModel):
    """The facts that change; the others keep the old event's values."""

    minutes: int | None = Field(None, ge=0, le=MAX_MINUTES_PER_DAY)
    intensity: MovementIntensity | None = None
    occurred_at: AwareDatetime | None = None
    reason: str = Field(min_length=3, max_length=500, description="Why, kept with the event")


class MovementEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    member_id: uuid.UUID
    kind: str
    minutes: int
    intensity: MovementIntensity
    provenance: Provenance
    source: str
    occurred_at: datetime
    local_date: date = Field(
        description="The member's calendar date in ``zone``, at the tenant's day-start hour"
    )
    zone: str
    voids: uuid.UUID | None = Field(
        description="The event this one corrects (or, for a void, cancels)"
    )
    location_id: uuid.UUID | None
    session_id: uuid.UUID | None
    is_void: bool = Field(description="Carries no movement: only cancels ``voids``")
    voided: bool = Field(description="A later event voided or corrected this one")


class MovementEventPage(BaseModel):
    items: list[MovementEventRead]
    next_offset: int | None


class CheckOut(InputModel):
    """Leaving: how long the visit was, or that it did not happen after all."""

    minutes: int = Field(ge=0, le=MAX_MINUTES_PER_DAY, description="Minutes of movement")
    completed: bool = Field(
        True, description="False: the visit was not completed; its movement is voided"
    )


class RatingCreate(InputModel):
    score: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent)")
    comment: str | None = Field(None, max_length=1000)


class RatingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    session_id: uuid.UUID
    score: int
    comment: str | None
    updated_at: datetime


class RatingLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    session_type_id: uuid.UUID
    session_type: str
    instructor_id: uuid.UUID | None
    instructor: str | None
    ratings: int
    average: float = Field(description="Mean score, 1–5, to two decimals")


class RatingsReport(BaseModel):
    items: list[RatingLineRead]


class StreakOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    current: int = Field(description="Periods counted in a row, today's once it is met")
    longest: int
    freezes: int = Field(description="Freezes held (at most 2): each covers one missed period")
    at_risk: bool = Field(
        description="A period was missed and its 48-hour repair window is still open"
    )
    minutes_to_go: int = Field(
        description="Moderate-equivalent minutes still needed for this period to count"
    )


class WeekDoseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    week: date = Field(description="The week's first local date")
    minutes: int = Field(description="Moderate-equivalent minutes: moderate + 2 × vigorous")
    sessions: int
    dose: float = Field(description="min(1, minutes / target)")
    score: float = Field(
        description="The adherence score once the week was counted (this week: as of now)"
    )


class SuggestionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    target: int
    reason: str


class GoalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    kind: Literal["sessions", "minutes"]
    target: int
    done: int = Field(description="This week so far (minutes: moderate-equivalent)")
    met: bool
    suggestion: SuggestionOut | None = Field(
        description="After 3 weeks in a row met (or missed): about 10 % more (or less)"
    )


class BadgeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    key: str
    badge: str | None
    points: int
    explanation: str = Field(description='Why, e.g. "because: 10th session on 4 Dec 2026"')
    earned_on: date


class EngagementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    member_id: uuid.UUID
    today: date = Field(description="The member's local date now")
    daily: StreakOut
    weekly: StreakOut
    score: float = Field(ge=0, le=1, description="The Movement Adherence Score")
    doses: list[WeekDoseOut] = Field(description="The last 12 weeks, oldest first")
    goal: GoalOut | None
    points: int
    badges: list[BadgeOut]
    last_active_on: date | None


class GoalUpdate(InputModel):
    """A weekly goal: 1–21 sessions, or 10–3000 moderate-equivalent minutes."""

    kind: Literal["sessions", "minutes"]
    target: int = Field(ge=1, le=3000)


class PauseCreate(InputModel):
    starts_on: date
    ends_on: date = Field(description="Included; at most 90 days after the start, counted in")
    reason: Literal["illness", "travel", "rest"] = Field(description="rest: coach-approved")
    note: str | None = Field(None, max_length=500)


class PauseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    member_id: uuid.UUID
    starts_on: date
    ends_on: date
    reason: str
    note: str | None


class PausePage(BaseModel):
    items: list[PauseOut]
    next_offset: int | None
