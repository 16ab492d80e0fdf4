"""Request and response bodies of corporate reports and consents. A hidden cell is null;
``hidden`` of each row names its hidden cells and why (``small``: too few people;
``complement``: it would give a small one away)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from shared.inputs import InputModel

Scope = Literal["participation", "journeys"]


class FigureRead(BaseModel):
    figure: str
    label: str
    count: int | None
    #: Of the figure named in ``of``; null when hidden or over fewer than the minimum.
    share: float | None
    of: str | None
    hidden: str | None


class GroupRead(BaseModel):
    id: uuid.UUID | None
    name: str
    eligible: int | None
    activated: int | None
    active: int | None
    meeting_dose: int | None
    journeys_started: int | None
    journeys_adhered: int | None
    journeys_completed: int | None
    challenge_participants: int | None
    #: "active: small, meeting_dose: complement" …
    hidden: str


class MonthRead(BaseModel):
    month: date
    eligible: int | None
    active: int | None
    active_share: float | None


class CorporateReportRead(BaseModel):
    account_id: uuid.UUID
    account_name: str
    first_day: date
    last_day: date
    department_id: uuid.UUID | None
    location_id: uuid.UUID | None
    #: Counts of 1 to min_group − 1 people are hidden, and any cell that would give one away.
    min_group: int
    summary: list[FigureRead]
    by_department: list[GroupRead]
    by_location: list[GroupRead]
    adherence_bands: list[FigureRead]
    trend: list[MonthRead]


class IndividualRead(BaseModel):
    employee_id: uuid.UUID
    employee_ref: str | None
    name: str
    department: str
    location: str
    scopes: str
    visits: int | None
    active_months: int | None
    meeting_dose: bool | None
    challenges_joined: bool | None
    journeys_started: int | None
    journeys_completed: int | None
    adherence_band: str | None


class IndividualsRead(BaseModel):
    account_id: uuid.UUID
    first_day: date
    last_day: date
    individuals: list[IndividualRead]


class ConsentCreate(InputModel):
    scope: Scope


class ConsentRead(BaseModel):
    employee_id: uuid.UUID
    account_id: uuid.UUID
    account_name: str
    scope: str
    granted_at: datetime
    revoked_at: datetime | None


class ConsentList(BaseModel):
    #: The employers whose roster holds you (none: nothing to consent to).
    employers: list[str]
    consents: list[ConsentRead]
