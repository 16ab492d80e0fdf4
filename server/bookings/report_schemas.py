"""API schemas of the attendance reports. Rates are ratios (0.75 is 75 %), None where
nothing was there to divide by."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Report(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_day: date = Field(alias="from")
    to_day: date = Field(alias="to")
    location_id: uuid.UUID | None


class AttendanceWeek(BaseModel):
    week_start: date
    sessions: int
    places: int
    confirmed_count: int
    attended: int
    #: confirmed_count / places
    fill_rate: float | None
    #: attended / confirmed_count
    attendance_rate: float | None


class AttendanceReport(_Report):
    weeks: list[AttendanceWeek]


class ClassTypeRow(BaseModel):
    session_type_id: uuid.UUID
    session_type: str
    sessions: int
    places: int
    confirmed_count: int
    attended: int
    fill_rate: float | None


class SlotRow(BaseModel):
    #: 0 for Monday to 6 for Sunday, at the location.
    weekday: int
    #: The local hour the sessions start in.
    hour: int
    sessions: int
    confirmed_count: int
    attended: int


class PopularReport(_Report):
    types: list[ClassTypeRow]
    slots: list[SlotRow]


class NoShowRow(BaseModel):
    confirmed_count: int
    no_shows: int
    #: no_shows / confirmed_count
    no_show_rate: float | None
    late_cancels: int
    #: late_cancels / (confirmed_count + late and in-time cancellations)
    late_cancel_rate: float | None


class NoShowWeek(NoShowRow):
    week_start: date


class NoShowType(NoShowRow):
    session_type_id: uuid.UUID
    session_type: str


class NoShowReport(_Report):
    weeks: list[NoShowWeek]
    types: list[NoShowType]


class MemberPeriod(BaseModel):
    #: First local day of the week (Monday) or month.
    period_start: date
    #: Members whose first membership started in the period.
    new: int
    #: Members with a visit or a class attended in the period.
    active: int
    #: Members whose last membership ended in the period, not renewed.
    churned: int


class CohortRow(BaseModel):
    #: The month (its first day) the cohort's members joined in.
    cohort: date
    members: int
    #: Of them, how many were active in the cohort's month, the month after, … up to the
    #: report's last month (index 0 is the joining month).
    active: list[int]


class MembersReport(_Report):
    period: Literal["week", "month"]
    periods: list[MemberPeriod]
    cohorts: list[CohortRow]
