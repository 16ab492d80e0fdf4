"""API schemas of movement prescription profiles."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from server.api.bodies import Patching
from server.prescriptions import rules
from shared.enums import Intensity
from shared.inputs import InputModel

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Keys = Annotated[list[Key], Field(max_length=40)]
TypeWord = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
PerWeek = Annotated[int, Field(ge=1, le=rules.MAX_PER_WEEK)]
SessionMinutes = Annotated[int, Field(ge=1, le=600, description="Minutes a session; never 0")]
WeekMinutes = Annotated[int, Field(ge=1, le=3000, description="Minutes a week; never 0")]


class ProfileContent(InputModel):
    """What one version of a profile prescribes, checked as a whole."""

    name: Name
    summary: LongText = ""
    indications: Keys = Field(default_factory=list, description="RiskFlag and Goal keys")
    contraindications: Keys = Field(default_factory=list, description="RiskFlag keys")
    intensity_ceiling: Intensity
    frequency_min: PerWeek
    frequency_max: PerWeek
    intensity: Intensity
    minutes_per_session: SessionMinutes
    minutes_per_week: WeekMinutes
    types: Annotated[list[TypeWord], Field(max_length=10)] = Field(default_factory=list)
    notes: LongText = ""
    sources: LongText = ""

    @field_validator("summary", "notes", "sources", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        # A form's empty box, or null, is no text.
        return "" if value is None else value

    @model_validator(mode="after")
    def _consistent(self) -> ProfileContent:
        unknown = rules.unknown_indications(self.indications)
        if unknown:
            raise ValueError(f"indications: unknown risk flag or goal {', '.join(unknown)}")
        unknown = rules.unknown_contraindications(self.contraindications)
        if unknown:
            raise ValueError(f"contraindications: unknown risk flag {', '.join(unknown)}")
        problem = rules.dose_problem(
            intensity=self.intensity,
            intensity_ceiling=self.intensity_ceiling,
            frequency_min=self.frequency_min,
            frequency_max=self.frequency_max,
            minutes_per_session=self.minutes_per_session,
            minutes_per_week=self.minutes_per_week,
        )
        if problem:
            raise ValueError(problem)
        # Keys named twice would count twice in a match: keep the first of each.
        self.indications = list(dict.fromkeys(self.indications))
        self.contraindications = list(dict.fromkeys(self.contraindications))
        self.types = list(dict.fromkeys(word.lower() for word in self.types))
        return self


class ProfileCreate(ProfileContent):
    pass


class ProfileUpdate(Patching, InputModel):
    """The fields sent change, the others are kept; the result, checked as a whole, is the
    profile's next version. Null clears the summary, notes and sources."""

    name: Name | None = None
    summary: LongText | None = None
    indications: Keys | None = None
    contraindications: Keys | None = None
    intensity_ceiling: Intensity | None = None
    frequency_min: PerWeek | None = None
    frequency_max: PerWeek | None = None
    intensity: Intensity | None = None
    minutes_per_session: SessionMinutes | None = None
    minutes_per_week: WeekMinutes | None = None
    types: Annotated[list[TypeWord], Field(max_length=10)] | None = None
    notes: LongText | None = None
    sources: LongText | None = None


class ProfileVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    version: int
    name: str
    summary: str
    indications: list[str]
    contraindications: list[str]
    intensity_ceiling: Intensity
    frequency_min: int
    frequency_max: int
    intensity: Intensity
    minutes_per_session: int
    minutes_per_week: int
    types: list[str]
    notes: str
    sources: str
    created_at: datetime
    created_by: uuid.UUID | None


class ProfileRead(BaseModel):
    """A profile with what its current version prescribes."""

    id: uuid.UUID
    starter_key: str | None
    current_version: int
    archived_at: datetime | None
    created_at: datetime
    current: ProfileVersionRead


class ProfilePage(BaseModel):
    items: list[ProfileRead]
    next_offset: int | None


class ProfileVersionPage(BaseModel):
    """Newest first."""

    items: list[ProfileVersionRead]
    next_offset: int | None
