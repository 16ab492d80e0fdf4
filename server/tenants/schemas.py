"""API schemas of tenants and locations."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, model_validator

from server.tenants.rules import (
    DEFAULT_LOCALE,
    check_currency,
    check_locale,
    check_slug,
    check_timezone,
)
from shared.inputs import InputModel
from shared.movement import MAX_DAY_START_HOUR
from shared.opening_hours import OpeningHours, OpeningInterval

Slug = Annotated[str, AfterValidator(check_slug)]
TimeZone = Annotated[str, AfterValidator(check_timezone)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Currency = Annotated[
    str,
    Field(description="ISO 4217 code, e.g. GHS, GBP", examples=["GHS"]),
    AfterValidator(check_currency),
]
LocaleTag = Annotated[
    str,
    Field(
        max_length=35,
        description="CLDR locale the pages write dates, times and money in",
        examples=["en_GH"],
    ),
    AfterValidator(check_locale),
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
    day_start_hour: int | None = Field(
        None,
        ge=0,
        le=MAX_DAY_START_HOUR,
        description="The local hour a member's day of movement starts (0–6): until then, "
        "late movement counts for the day before. Events recorded already keep their dates",
    )


class TenantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    slug: str
    name: str
    contact_email: str | None
    contact_phone: str | None
    currency: str
    day_start_hour: int
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
    locale: LocaleTag = DEFAULT_LOCALE


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
    locale: LocaleTag | None = None


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
    locale: str
    created_at: datetime
    updated_at: datetime


class LocationPage(BaseModel):
    items: list[LocationRead]
    next_offset: int | None


#: The longest closure one entry may cover: a season, not an open-ended shutdown.
MAX_CLOSURE_DAYS = 366


class ClosureCreate(InputModel):
    """Closed from ``starts_on`` to ``ends_on`` (local dates, inclusive), or open with special
    ``hours`` those days."""

    model_config = ConfigDict(extra="forbid")
    name: Name = Field(examples=["Christmas"])
    starts_on: date
    ends_on: date | None = Field(None, description="Last day; default: starts_on (one day)")
    hours: list[OpeningInterval] = Field(
        default_factory=list,
        max_length=6,
        description="Special hours of each of those days; empty: closed all day",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        last = self.ends_on or self.starts_on
        if last < self.starts_on:
            raise ValueError("ends_on cannot be before starts_on")
        if (last - self.starts_on).days >= MAX_CLOSURE_DAYS:
            raise ValueError(f"a closure covers at most {MAX_CLOSURE_DAYS} days")
        ordered = sorted(self.hours, key=lambda i: i.opens)
        if any(b.opens < a.closes for a, b in itertools.pairwise(ordered)):
            raise ValueError("the special hours overlap")
        return self


class ClosureRead(BaseModel):
    id: uuid.UUID
    location_id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date
    closed: bool = Field(description="True: closed all day; false: open with ``hours``")
    hours: list[OpeningInterval]
    created_at: datetime
    affected_sessions: int = Field(
        0,
        description="Scheduled future sessions on those days (outside the special hours): "
        "list them at .../sessions, cancel them with notice at .../cancel-sessions",
    )


class ClosurePage(BaseModel):
    items: list[ClosureRead]
    next_offset: int | None
