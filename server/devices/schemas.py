"""API schemas of kiosk devices and enrolment."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.inputs import InputModel


class EnrolmentCodeCreate(InputModel):
    model_config = ConfigDict(extra="forbid")
    expires_in_minutes: int | None = Field(None, ge=1, le=7 * 24 * 60)


class EnrolmentCodeRead(BaseModel):
    code: str = Field(description="Shown once: type it into the kiosk's enrolment screen")
    location_id: uuid.UUID
    expires_at: datetime


class DeviceEnrol(InputModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=120)
    name: str = Field(min_length=1, max_length=200)


class DeviceEnrolled(BaseModel):
    device_id: uuid.UUID
    device_secret: str = Field(description="Keep it in the OS keyring; it is never shown again")
    tenant_id: uuid.UUID
    location_id: uuid.UUID


class DeviceTokenRequest(InputModel):
    model_config = ConfigDict(extra="forbid")
    device_id: uuid.UUID
    device_secret: str = Field(min_length=1, max_length=200)


class DeviceToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class DeviceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    location_id: uuid.UUID
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None
    #: What the kiosk last reported of its outbox (None: it has not reported).
    pending_count: int | None = None
    oldest_pending_at: datetime | None = None


class DevicePage(BaseModel):
    items: list[DeviceRead]
    next_offset: int | None
