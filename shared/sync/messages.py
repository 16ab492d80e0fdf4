"""Messages of the push/pull protocol. Both sides validate them with these models."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.enums import MutationStatus

#: Bumped whenever a message or a mutation's arguments change shape; the server keeps
#: accepting older versions so a kiosk that has not been upgraded keeps syncing.
SCHEMA_VERSION = 1
#: Most mutations one push may carry.
MAX_PUSH_BATCH = 500

_MUTATION_NAME = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+\.v[1-9][0-9]*$")


class Mutation(BaseModel):
    """One user action recorded in a kiosk's outbox."""

    model_config = ConfigDict(extra="forbid")

    mutation_id: int = Field(ge=1, description="Per-device, strictly increasing, no gaps")
    name: str = Field(examples=["checkin.create.v1"], max_length=100)
    args: dict[str, Any]
    device_time: datetime = Field(description="The kiosk's clock when the action happened")
    hlc: str = Field(max_length=100, description="The kiosk's hybrid logical clock timestamp")

    @field_validator("name")
    @classmethod
    def _versioned(cls, value: str) -> str:
        if not _MUTATION_NAME.match(value):
            raise ValueError(f"{value!r} is not a versioned mutation name like 'checkin.create.v1'")
        return value


class PushRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device_id: uuid.UUID
    schema_version: int = Field(ge=1)
    mutations: list[Mutation] = Field(max_length=MAX_PUSH_BATCH)


class MutationResult(BaseModel):
    mutation_id: int
    status: MutationStatus
    reason: str | None = None
    review_item_id: uuid.UUID | None = None


class PushResponse(BaseModel):
    last_mutation_id: int
    results: list[MutationResult]


class Change(BaseModel):
    """One row changed on the server, in the order the server assigned."""

    seq: int
    table: str
    row_id: uuid.UUID
    deleted: bool = False
    data: dict[str, Any] | None = None


class PullResponse(BaseModel):
    changes: list[Change]
    cursor: int
    has_more: bool
    last_mutation_id: int
