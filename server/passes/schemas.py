"""API schemas of member passes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.inputs import InputModel


class PassCreate(InputModel):
    model_config = ConfigDict(extra="forbid")
    valid_days: int = Field(365, ge=1, le=5 * 366, description="How long the pass is valid")


class PassRevoke(InputModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=200, examples=["phone lost"])


class PassRead(BaseModel):
    id: uuid.UUID
    member_id: uuid.UUID
    key_id: int
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None
    token: str | None = Field(description="The QR text; absent once revoked")


class PassPage(BaseModel):
    items: list[PassRead]
    next_offset: int | None
    total: int
