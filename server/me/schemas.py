"""API schemas of what a signed-in member reads about themselves: memberships, visits,
bookings and the classes they look at, with local times and place names."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from server.bookings.schemas import BookingRead
from shared.enums import BookingStatus, LimitPeriod, MembershipStatus, PlanKind, SessionStatus


class MyMembership(BaseModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    plan_name: str
    plan_kind: PlanKind
    status: MembershipStatus = Field(description="As of today")
    starts_on: date
    ends_on: date | None = Field(description="When it expires; None for open-ended")
    frozen_until: date | None
    credits_left: int | None = Field(description="Class-pack credits; None when unlimited")
    visit_limit: int | None
    visit_limit_period: LimitPeriod | None
    visits_used: int | None = Field(description="Visits this period; None without a limit")
    period_resets_at: datetime | None = Field(
        description="When the visit count starts again (UTC); None without a limit"
    )
    period_resets_local: datetime | None = Field(description="The same, in the zone below")
    timezone: str | None = Field(description="The zone the period is counted in")
    next_renewal_on: date | None = Field(description="The next automatic renewal, if any")


class MyMembershipPage(BaseModel):
    items: list[MyMembership]
    next_offset: int | None


class MyCheckin(BaseModel):
    """A visit: an admission at a door."""

    id: uuid.UUID
    occurred_at: datetime
    occurred_at_local: datetime = Field(description="When it happened, in the location's zone")
    timezone: str
    location_id: uuid.UUID
    location_name: str
    membership_id: uuid.UUID | None
    method: str


class MyCheckinPage(BaseModel):
    items: list[MyCheckin]
    next_offset: int | None


class MyBooking(BookingRead):
    """A booking with what a person reads of its class: name, place, coach, local times."""

    session_type_name: str
    location_id: uuid.UUID
    location_name: str
    instructor_name: str | None
    timezone: str
    starts_at_local: datetime = Field(description="The start at the location, with its offset")
    ends_at_local: datetime = Field(description="The end at the location, with its offset")


class MyBookingPage(BaseModel):
    items: list[MyBooking]
    next_offset: int | None


class MySessionBooking(BaseModel):
    id: uuid.UUID
    status: BookingStatus
    waitlist_place: int | None = Field(description="1 for the first in line; None if not waiting")


class MySession(BaseModel):
    """A class as a member sees it, with their own booking of it if any."""

    id: uuid.UUID
    session_type_id: uuid.UUID
    session_type_name: str
    description: str | None = None
    status: SessionStatus
    location_id: uuid.UUID
    location_name: str
    timezone: str
    instructor_name: str | None
    starts_at: datetime
    ends_at: datetime
    starts_at_local: datetime = Field(description="The start at the location, with its offset")
    ends_at_local: datetime = Field(description="The end at the location, with its offset")
    room: str | None
    capacity: int
    places_left: int
    waitlist_count: int
    my_booking: MySessionBooking | None
