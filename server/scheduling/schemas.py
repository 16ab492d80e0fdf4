"""API schemas of session types, schedules, sessions and public browsing."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from server.scheduling.rules import OnMissingTime
from server.tenants.rules import DEFAULT_LOCALE
from shared.enums import Intensity, SessionKind, SessionStatus
from shared.inputs import InputModel
from shared.opening_hours import OpeningHours, OpeningInterval

Minutes = Annotated[int, Field(ge=5, le=24 * 60)]
Capacity = Annotated[int, Field(ge=1, le=10_000)]
Weekday = Annotated[int, Field(ge=1, le=7, description="ISO weekday: 1 = Monday … 7 = Sunday")]
Room = Annotated[str, Field(min_length=1, max_length=100)]
Contraindications = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=50)
]


class SessionTypeCreate(InputModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    kind: SessionKind
    category: str = Field(min_length=1, max_length=50, description="HIIT, yoga, strength, …")
    description: str | None = Field(None, max_length=2000)
    duration_minutes: Minutes
    default_capacity: Capacity
    requires_approval: bool = False
    intensity: Intensity | None = Field(
        None, description="Required unless profile_id names a profile (its intensity then)"
    )
    primary_goal: str | None = Field(None, max_length=100)
    contraindications: Contraindications = Field(default_factory=list)
    suggested_per_week: int | None = Field(None, ge=1, le=14)
    profile_id: uuid.UUID | None = Field(
        None,
        description="A prescription profile: its intensity, goal, contra-indications and "
        "weekly frequency replace the type's own, now and at each new version of it",
    )
    active: bool = True

    @model_validator(mode="after")
    def _intensity_known(self) -> SessionTypeCreate:
        if self.intensity is None and self.profile_id is None:
            raise ValueError("intensity: give one, or a profile_id to take it from")
        return self


class SessionTypeUpdate(InputModel):
    """Only the fields given change; ``active: false`` archives the type."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: SessionKind | None = None
    category: str | None = Field(None, min_length=1, max_length=50)
    description: str | None = Field(None, max_length=2000)
    duration_minutes: Minutes | None = None
    default_capacity: Capacity | None = None
    requires_approval: bool | None = None
    intensity: Intensity | None = None
    primary_goal: str | None = Field(None, max_length=100)
    contraindications: Contraindications | None = None
    suggested_per_week: int | None = Field(None, ge=1, le=14)
    #: null: the type keeps its current values as its own from now on.
    profile_id: uuid.UUID | None = None
    active: bool | None = None


class SessionTypeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    kind: SessionKind
    category: str
    description: str | None
    duration_minutes: int
    default_capacity: int
    requires_approval: bool
    intensity: Intensity
    primary_goal: str | None
    contraindications: list[str]
    suggested_per_week: int | None
    profile_id: uuid.UUID | None = None
    active: bool
    created_at: datetime
    updated_at: datetime


class SessionTypePage(BaseModel):
    items: list[SessionTypeRead]
    next_offset: int | None


class InstructorsUpdate(InputModel):
    model_config = ConfigDict(extra="forbid")
    staff_ids: list[uuid.UUID] = Field(max_length=200)


class InstructorRead(BaseModel):
    id: uuid.UUID
    name: str
    role: str


class InstructorsRead(BaseModel):
    session_type_id: uuid.UUID
    instructors: list[InstructorRead]


class ScheduleCreate(InputModel):
    """A series in the location's local time: "Mon/Wed/Fri 07:00 from 1 March to 30 June"."""

    model_config = ConfigDict(extra="forbid")
    location_id: uuid.UUID
    session_type_id: uuid.UUID
    instructor_id: uuid.UUID | None = None
    weekdays: list[Weekday] = Field(min_length=1, max_length=7)
    local_start: time = Field(description="Wall-clock start in the location's zone, e.g. 07:00")
    duration_minutes: Minutes | None = Field(None, description="Default: the session type's")
    capacity: Capacity | None = Field(None, description="Default: the session type's")
    starts_on: date
    ends_on: date
    except_dates: list[date] = Field(default_factory=list, max_length=366)
    room: Room | None = None
    on_missing_time: OnMissingTime = Field(
        OnMissingTime.SHIFT,
        description="When local_start does not exist on a day (spring forward): 'shift' to "
        "the first minute after the gap, or 'skip' the day",
    )


class ScheduleUpdate(InputModel):
    """Changes future instances only (not started, not changed by themselves)."""

    model_config = ConfigDict(extra="forbid")
    instructor_id: uuid.UUID | None = None
    weekdays: list[Weekday] | None = Field(None, min_length=1, max_length=7)
    local_start: time | None = None
    duration_minutes: Minutes | None = None
    capacity: Capacity | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    except_dates: list[date] | None = Field(None, max_length=366)
    room: Room | None = None
    on_missing_time: OnMissingTime | None = None


class ScheduleEnd(InputModel):
    model_config = ConfigDict(extra="forbid")
    last_day: date = Field(description="The last local day the series runs; later ones cancel")
    reason: str = Field("the series has ended", min_length=1, max_length=300)


class ScheduleRead(BaseModel):
    id: uuid.UUID
    location_id: uuid.UUID
    session_type_id: uuid.UUID
    instructor_id: uuid.UUID | None
    weekdays: list[int]
    local_start: time
    timezone: str
    duration_minutes: int
    capacity: int
    starts_on: date
    ends_on: date
    except_dates: list[date]
    room: str | None
    on_missing_time: OnMissingTime
    ended_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SeriesChanges(BaseModel):
    """What an edit did to the series' future instances."""

    created: int = 0
    moved: int = 0
    cancelled: int = 0
    updated: int = 0
    members_told: int = 0
    skipped_past: int = Field(
        0,
        description="Days of the series whose start had already passed: no class was created "
        "for them",
    )


class ScheduleEdited(BaseModel):
    schedule: ScheduleRead
    changes: SeriesChanges
    warnings: list[str] = Field(
        default_factory=list,
        description="Allowed, but worth a look: e.g. outside the location's opening hours, "
        "special hours or on a closure day (local time)",
    )


class SchedulePage(BaseModel):
    items: list[ScheduleRead]
    next_offset: int | None


class SessionCreate(InputModel):
    """A one-off session at a local date and time in the location's zone.

    A time that happens twice that day (clocks going back) means its first occurrence.
    """

    model_config = ConfigDict(extra="forbid")
    location_id: uuid.UUID
    session_type_id: uuid.UUID
    instructor_id: uuid.UUID | None = None
    local_date: date
    local_start: time
    duration_minutes: Minutes | None = None
    capacity: Capacity | None = None
    room: Room | None = None


class SessionUpdate(InputModel):
    """Instructor, capacity or room of one session; it then stays out of series edits."""

    model_config = ConfigDict(extra="forbid")
    instructor_id: uuid.UUID | None = None
    capacity: Capacity | None = None
    room: Room | None = None


class SessionMove(InputModel):
    model_config = ConfigDict(extra="forbid")
    local_date: date
    local_start: time
    duration_minutes: Minutes | None = Field(None, description="Default: unchanged")


class SessionCancel(InputModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=300)


class SessionRead(BaseModel):
    id: uuid.UUID
    location_id: uuid.UUID
    session_type_id: uuid.UUID
    schedule_id: uuid.UUID | None
    occurrence_date: date | None
    instructor_id: uuid.UUID | None
    starts_at: datetime
    ends_at: datetime
    local_date: date
    local_start: time
    timezone: str
    starts_at_local: datetime = Field(
        description="The start at the location, with its UTC offset (starts_at is UTC)"
    )
    ends_at_local: datetime = Field(description="The end at the location, with its UTC offset")
    capacity: int
    confirmed_count: int
    waitlist_count: int
    free_places: int
    room: str | None
    status: SessionStatus
    cancel_reason: str | None
    detached: bool
    sequence: int
    created_at: datetime
    updated_at: datetime
    members_told: int | None = Field(
        None, description="After a move or cancellation: bookings whose members were told"
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="Allowed, but worth a look: e.g. outside the location's opening hours, "
        "special hours or on a closure day (local time)",
    )


class SessionPage(BaseModel):
    items: list[SessionRead]
    next_offset: int | None


class PublicClosure(BaseModel):
    name: str
    starts_on: date
    ends_on: date
    closed: bool = Field(description="True: closed all day; false: open with ``hours``")
    hours: list[OpeningInterval]


class PublicProvider(BaseModel):
    """A provider as anyone may see it: its name and the money it charges in."""

    slug: str
    name: str
    currency: str


class PublicLocation(BaseModel):
    id: uuid.UUID
    name: str
    address: str | None
    timezone: str
    locale: str = Field(DEFAULT_LOCALE, description="How the location writes dates and money")
    currency: str | None = Field(
        None, description="The location's own currency; null: the provider's"
    )
    opening_hours: OpeningHours | None = None
    closures: list[PublicClosure] = Field(
        default_factory=list, description="Closures and special hours from today on"
    )


class PublicLocationPage(BaseModel):
    items: list[PublicLocation]
    next_offset: int | None


class PublicSessionType(BaseModel):
    """A session type as anyone may see it (no capacity defaults, no archive state)."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    kind: SessionKind
    category: str
    description: str | None
    duration_minutes: int
    requires_approval: bool
    intensity: Intensity
    primary_goal: str | None
    contraindications: list[str]
    suggested_per_week: int | None


class PublicSessionTypePage(BaseModel):
    items: list[PublicSessionType]
    next_offset: int | None


class PublicSession(BaseModel):
    id: uuid.UUID
    session_type_id: uuid.UUID
    session_type_name: str
    kind: SessionKind
    category: str
    location_id: uuid.UUID
    location_name: str
    timezone: str
    instructor_id: uuid.UUID | None
    instructor_name: str | None
    starts_at: datetime
    ends_at: datetime
    starts_at_local: datetime = Field(
        description="The start at the location, with its UTC offset (starts_at is UTC)"
    )
    ends_at_local: datetime = Field(description="The end at the location, with its UTC offset")
    local_date: date
    local_start: time
    capacity: int
    free_places: int
    waitlist_count: int
    room: str | None


class PublicSessionPage(BaseModel):
    items: list[PublicSession]
    next_offset: int | None


class PublicSessionFilter(BaseModel):
    """Browse filters; dates and times are the location's local ones."""

    date_from: date | None = None
    date_to: date | None = None
    time_from: time | None = Field(None, description="Starts at or after this local time")
    time_to: time | None = Field(None, description="Starts before this local time")
    session_type_id: uuid.UUID | None = None
    category: str | None = None
    location_id: uuid.UUID | None = None
    instructor_id: uuid.UUID | None = None


class ClosureSessionsCancel(InputModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(
        None, min_length=1, max_length=300, description="Told to members; default names the closure"
    )


class ClosureSessionsCancelled(BaseModel):
    cancelled: int
    members_told: int
    items: list[SessionRead]
