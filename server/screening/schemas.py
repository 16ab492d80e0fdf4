"""What screening's routes take and answer."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field, StrictBool

from shared.carepath.screening import FlagSource, Outcome
from shared.carepath.vocabulary import RiskCategory, RiskFlag
from shared.inputs import InputModel


class FollowUpRead(BaseModel):
    key: str
    text: str


class QuestionRead(BaseModel):
    key: str
    text: str
    #: Asked when the answer is yes.
    follow_ups: list[FollowUpRead]


class ScreeningWrite(InputModel):
    #: Every question's key and, for each yes, its follow-ups' keys: true (yes) or false.
    answers: dict[str, StrictBool]


class ClearanceRead(BaseModel):
    id: uuid.UUID
    screening_id: uuid.UUID
    cleared_by: uuid.UUID
    cleared_on: date
    #: The last day it holds.
    expires_on: date
    evidence: str
    revoked_at: datetime | None
    holds: bool


class ScreeningRead(BaseModel):
    """A member's screening. For front desk staff only ``awaiting_clearance`` is filled."""

    member_id: uuid.UUID
    #: None: never screened (or not shown to the caller).
    outcome: Outcome | None = None
    outcome_text: str | None = None
    completed_at: datetime | None = None
    #: "member" or "staff".
    entered_by_kind: str | None = None
    awaiting_clearance: bool = False
    cleared_until: date | None = None
    risk_category: RiskCategory | None = None
    #: The latest answers (question and follow-up keys); None when not shown.
    answers: dict[str, bool] | None = None
    #: Questions answered yes that their follow-ups did not resolve.
    unresolved: list[str] = Field(default_factory=list)
    clearances: list[ClearanceRead] = Field(default_factory=list)


class MyScreening(ScreeningRead):
    questions: list[QuestionRead]


class ClearanceWrite(InputModel):
    #: What the clearance rests on ("GP letter 3 Dec").
    evidence: str = Field(min_length=1, max_length=500)
    #: Default: today, in the studio's time zone. Never in the future.
    cleared_on: date | None = None


class RiskFlagWrite(InputModel):
    flag: RiskFlag
    #: Default: today, in the studio's time zone.
    noted_on: date | None = None
    note: str | None = Field(default=None, max_length=1000)


class IntegrationRiskFlag(RiskFlagWrite):
    member_id: uuid.UUID


class IntegrationRiskFlags(InputModel):
    flags: list[IntegrationRiskFlag] = Field(min_length=1, max_length=500)


class RiskFlagRead(BaseModel):
    id: uuid.UUID
    member_id: uuid.UUID
    flag: RiskFlag
    label: str
    source: FlagSource
    noted_on: date
    recorded_by: uuid.UUID | None
    note: str | None
    ended_on: date | None


class RiskFlagPage(BaseModel):
    items: list[RiskFlagRead]
    next_offset: int | None
