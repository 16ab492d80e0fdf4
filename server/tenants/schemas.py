"""API schemas of tenants and locations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from server.tenants.rules import check_currency, check_slug, check_timezone
from shared.inputs import InputModel
from shared.opening_hours import OpeningHours

Slug = Annotated[str, AfterValidator(check_slug)]
TimeZone = Annotated[str, AfterValidator(check_timezone)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Currency = Annotated[
    str,
    Field(description="ISO 4217 code, e.g. GHS, GBP", examples=["GHS"]),
    AfterValidator(check_currency),
]
Phone = Annotated[str, Field(min_length=3, max_length=40, pattern=r"^\+?[0-9 ()\-]+$")]


class OwnerCreate(InputModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    email: EmailStr
    password: str = Field(min_length=10, max_length=200)


class TenantCreate(InputModel):
    """A provider signs up: the tenant and its first owner account."""

    model_config = ConfigDict(extra="forbid")
    name: Name
    slug: Slug
    contact_email: EmailStr | None = None
    contact_phone: Phone | None = None
    currency: Currency = Field(
        description="What the provider charges in (ISO 4217); plans and locations may differ"
    )
    owner: OwnerCreate


class TenantUpdate(InputModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    contact_email: EmailStr | None = None
    contact_phone: Phone | None = None
    currency: Currency | None = None


class TenantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    slug: str
    name: str
    contact_email: str | None
    contact_phone: str | None
    currency: str
    created_at: datetime


class LocationCreate(InputModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    timezone: TimeZone
    capacity: int | None = Field(None, ge=1, le=100_000)
    address: str | None = Field(None, max_length=500)
    contact_email: EmailStr | None = None
    contact_phone: Phone | None = None
    opening_hours: OpeningHours = Field(default_factory=OpeningHours)
    currency: Currency | None = Field(None, description="The branch's own; default: the tenant's")


class LocationUpdate(InputModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    timezone: TimeZone | None = None
    capacity: int | None = Field(None, ge=1, le=100_000)
    address: str | None = Field(None, max_length=500)
    contact_email: EmailStr | None = None
    contact_phone: Phone | None = None
    opening_hours: OpeningHours | None = None
    currency: Currency | None = None


class LocationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    timezone: str
    capacity: int | None
    address: str | None
    contact_email: str | None
    contact_phone: str | None
    opening_hours: OpeningHours
    currency: str | None = Field(description="The branch's own currency; null: the tenant's")
    created_at: datetime
    updated_at: datetime


class LocationPage(BaseModel):
    items: list[LocationRead]
    next_offset: int | None
