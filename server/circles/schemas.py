"""API schemas of circles, their members and their announcements."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from server.api.bodies import Patching
from shared.inputs import InputModel

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
#: A short word for what the circle is about: "runners", "back-care", "stress-reset".
Interest = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=1, max_length=50, pattern=r"^[\w\- ]+$"
    ),
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class CircleCreate(InputModel):
    name: Name
    interest: Interest
    description: Description | None = None
    location_id: uuid.UUID | None = None
    invite_only: bool = False
    #: Who runs it; a coach creating a circle leads it (leave this out or name yourself).
    leader_id: uuid.UUID | None = None


class CircleUpdate(Patching, InputModel):
    """Only the fields sent change; null clears the description, location or leader."""

    name: Name | None = None
    interest: Interest | None = None
    description: Description | None = None
    location_id: uuid.UUID | None = None
    invite_only: bool | None = None
    leader_id: uuid.UUID | None = None


class CircleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    interest: str
    description: str | None
    location_id: uuid.UUID | None
    invite_only: bool
    leader_id: uuid.UUID | None
    archived_at: datetime | None
    created_at: datetime


class CirclePage(BaseModel):
    items: list[CircleRead]
    next_offset: int | None


class CircleMemberAdd(InputModel):
    member_id: uuid.UUID


class CircleMemberRead(BaseModel):
    """One stay of a member in the circle: from joining until leaving (None: still in)."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    circle_id: uuid.UUID
    member_id: uuid.UUID
    first_name: str
    last_name: str
    joined_at: datetime
    left_at: datetime | None
    added_by: uuid.UUID | None


class CircleMemberPage(BaseModel):
    items: list[CircleMemberRead]
    next_offset: int | None


class MyCircleRead(BaseModel):
    """A circle the member is in, and since when."""

    circle: CircleRead
    joined_at: datetime


class MyCirclePage(BaseModel):
    items: list[MyCircleRead]
    next_offset: int | None


class AnnouncementCreate(InputModel):
    title: Title
    body: Body
    #: A challenge the announcement is about.
    challenge_id: uuid.UUID | None = None


class AnnouncementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    circle_id: uuid.UUID
    title: str
    body: str
    challenge_id: uuid.UUID | None
    created_by: uuid.UUID
    created_at: datetime


class AnnouncementPage(BaseModel):
    items: list[AnnouncementRead]
    next_offset: int | None
