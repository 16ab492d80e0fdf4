"""API schemas of Movement Tiles and their completions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from server.api.bodies import Patching
from server.tiles.rules import DAILY_CAP, MAX_MINUTES, MIN_MINUTES
from shared.inputs import InputModel
from shared.movement import MovementIntensity

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
#: One step or one contra-indication: a short line.
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Minutes = Annotated[int, Field(ge=MIN_MINUTES, le=MAX_MINUTES)]


def _https(value: str) -> str:
    if not value.startswith("https://") or len(value) <= len("https://") or " " in value:
        raise ValueError("a video link must be an https:// address")
    return value


VideoUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=500),
    AfterValidator(_https),
]
Steps = Annotated[list[Line], Field(min_length=1, max_length=20)]
Contraindications = Annotated[list[Line], Field(max_length=20)]


class TileCreate(InputModel):
    title: Title
    summary: Summary
    steps: Steps
    minutes: Minutes
    #: Required unless profile_id names a profile (its intensity, on the Tiles' scale, then).
    intensity: MovementIntensity | None = None
    contraindications: Contraindications = []
    video_url: VideoUrl | None = None
    #: A prescription profile whose contra-indications and intensity the Tile takes.
    profile_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _intensity_known(self) -> TileCreate:
        if self.intensity is None and self.profile_id is None:
            raise ValueError("intensity: give one, or a profile_id to take it from")
        return self


class TileUpdate(Patching, InputModel):
    """Only the fields sent change; null clears the video link."""

    title: Title | None = None
    summary: Summary | None = None
    steps: Steps | None = None
    minutes: Minutes | None = None
    intensity: MovementIntensity | None = None
    contraindications: Contraindications | None = None
    video_url: VideoUrl | None = None
    #: null: the Tile keeps its current values as its own from now on.
    profile_id: uuid.UUID | None = None


class TileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    title: str
    summary: str
    steps: list[str]
    minutes: int
    intensity: MovementIntensity
    contraindications: list[str]
    video_url: str | None
    profile_id: uuid.UUID | None = None
    starter_key: str | None
    archived_at: datetime | None
    created_at: datetime


class TilePage(BaseModel):
    items: list[TileRead]
    next_offset: int | None


class StarterLoaded(BaseModel):
    """How many starter Tiles were added now (0 when the library had them all)."""

    added: int
    items: list[TileRead]


class CompletionCreate(InputModel):
    #: Made by the app: sending the same id again records nothing new.
    id: uuid.UUID


class CompletionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    #: Also the id of the movement event it recorded.
    id: uuid.UUID
    tile_id: uuid.UUID
    local_date: date
    completed_at: datetime


class MyTiles(BaseModel):
    """A page of the active library, and what the member did today (their local day)."""

    items: list[TileRead]
    next_offset: int | None
    today: date
    done_today: list[CompletionRead]
    #: How many completions count per day.
    daily_cap: int = DAILY_CAP
