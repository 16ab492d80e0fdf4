"""API schemas of journey templates and their versions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from server.api.bodies import Patching
from shared.carepath.plans import (
    ActivityKind,
    Assessment,
    HabitPoint,
    JourneyPlan,
    PermittedActivity,
    ProgressionKind,
    ProgressionRule,
    WeekTarget,
)
from shared.carepath.templates import MAX_WEEKS
from shared.enums import Intensity
from shared.inputs import InputModel

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Keys = Annotated[list[Key], Field(max_length=30)]
Count = Annotated[int, Field(ge=0, le=100_000)]
Measure = Annotated[float, Field(ge=-1_000_000, le=1_000_000)]


class WeekBody(InputModel):
    week: Annotated[int, Field(ge=1, le=MAX_WEEKS)]
    minutes: Count = 0
    sessions: Count = 0
    strength_days: Count = 0
    tiles: Count = 0


class PermittedBody(InputModel):
    kind: ActivityKind
    ids: Annotated[list[Key], Field(max_length=50)] = []


class AssessmentBody(InputModel):
    key: Key
    label: Label
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    low: Measure
    high: Measure
    weeks: Annotated[list[Annotated[int, Field(ge=0, le=MAX_WEEKS)]], Field(max_length=10)] = [0]


class ProgressionBody(InputModel):
    kind: ProgressionKind
    percent: Annotated[int, Field(ge=0, le=100)] = 0
    cap: Count = 0
    after: Annotated[int, Field(ge=0, le=MAX_WEEKS)] = 1


class HabitPointBody(InputModel):
    sessions: Annotated[int, Field(ge=0, le=1000)] = 6
    weeks: Annotated[int, Field(ge=0, le=MAX_WEEKS)] = 2


class PlanBody(InputModel):
    """A plan as ``shared.carepath.plans.to_json`` writes it; the rules check it whole."""

    weeks: Annotated[list[WeekBody], Field(max_length=MAX_WEEKS + 1)]
    permitted: Annotated[list[PermittedBody], Field(max_length=10)] = []
    assessments: Annotated[list[AssessmentBody], Field(max_length=10)] = []
    progression: Annotated[list[ProgressionBody], Field(max_length=5)] = []
    habit_point: HabitPointBody = HabitPointBody()

    def to_plan(self) -> JourneyPlan:
        return JourneyPlan(
            weeks=tuple(WeekTarget(**w.model_dump()) for w in self.weeks),
            permitted=tuple(PermittedActivity(p.kind, tuple(p.ids)) for p in self.permitted),
            assessments=tuple(
                Assessment(a.key, a.label, a.unit, a.low, a.high, tuple(a.weeks))
                for a in self.assessments
            ),
            progression=tuple(
                ProgressionRule(r.kind, r.percent, r.cap, r.after) for r in self.progression
            ),
            habit_point=HabitPoint(self.habit_point.sessions, self.habit_point.weeks),
        )


class TemplateCreate(InputModel):
    name: Name
    summary: Summary = ""
    intensity_ceiling: Intensity
    indications: Keys = []
    contraindications: Keys = []
    profile_id: uuid.UUID | None = None
    plan: PlanBody


class TemplateUpdate(Patching, InputModel):
    """Only the fields sent change. A change to the plan, its ceiling, indications,
    contra-indications or profile of a version that has enrolments makes a new version."""

    name: Name | None = None
    summary: Summary | None = None
    intensity_ceiling: Intensity | None = None
    indications: Keys | None = None
    contraindications: Keys | None = None
    profile_id: uuid.UUID | None = None
    plan: PlanBody | None = None


class VersionRead(BaseModel):
    version: int
    profile_id: uuid.UUID | None
    intensity_ceiling: str
    indications: list[str]
    contraindications: list[str]
    plan: dict[str, Any]
    created_at: datetime
    #: Enrolments on this version, in any status.
    enrolments: int


class VersionSummary(BaseModel):
    version: int
    created_at: datetime
    enrolments: int


class TemplateSummary(BaseModel):
    id: uuid.UUID
    name: str
    summary: str
    starter_key: str | None
    current_version: int
    weeks: int
    intensity_ceiling: str
    indications: list[str]
    contraindications: list[str]
    archived_at: datetime | None


class TemplateRead(TemplateSummary):
    created_at: datetime
    current: VersionRead
    versions: list[VersionSummary]


class TemplatePage(BaseModel):
    items: list[TemplateSummary]
    next_offset: int | None


class MemberWeek(BaseModel):
    week: int
    minutes: int
    sessions: int
    strength_days: int
    tiles: int


class MemberTemplate(BaseModel):
    """A journey as a member reads it: what it is and what counts, no staff fields."""

    id: uuid.UUID
    name: str
    summary: str
    weeks: list[MemberWeek]
    #: ActivityKind values that count toward its weeks.
    counts: list[str]


class MemberTemplates(BaseModel):
    items: list[MemberTemplate]
    next_offset: int | None
