"""API schemas of bookings, booking policies, penalties and the provider overview."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from shared.enums import (
    Attendance,
    BookingSource,
    BookingStatus,
    CancelKind,
    PenaltyKind,
    PenaltyOutcome,
)
from shared.inputs import InputModel


class MemberBookingCreate(InputModel):
    model_config = ConfigDict(extra="forbid")
    session_id: uuid.UUID


class StaffBookingCreate(InputModel):
    model_config = ConfigDict(extra="forbid")
    member_id: uuid.UUID


class BookingCancel(InputModel):
    model_config = ConfigDict(extra="forbid")
    waiver_reason: str | None = Field(
        None,
        min_length=3,
        max_length=300,
        description="Staff only: no late-cancel penalty, and why (recorded with who waived it)",
    )


class BookingDecline(InputModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(None, max_length=300)


class AttendanceCreate(InputModel):
    model_config = ConfigDict(extra="forbid")
    checked_in_at: datetime | None = Field(None, description="Default now")
    checkin_id: uuid.UUID | None = None


class BookingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    session_id: uuid.UUID
    member_id: uuid.UUID
    status: BookingStatus
    position: int
    starts_at: datetime
    ends_at: datetime
    source: BookingSource
    booked_at: datetime
    booked_by: uuid.UUID | None
    promoted_at: datetime | None
    membership_id: uuid.UUID | None
    credit_taken: bool
    cancelled_at: datetime | None
    cancel_kind: CancelKind | None
    attendance: Attendance | None
    checked_in_at: datetime | None


class BookingPage(BaseModel):
    items: list[BookingRead]
    next_offset: int | None


class RosterEntry(BaseModel):
    booking_id: uuid.UUID
    member_id: uuid.UUID
    first_name: str
    last_name: str
    status: BookingStatus
    position: int = Field(
        description="Arrival order among all the session's bookings (not the place in line)"
    )
    attendance: Attendance | None
    checked_in_at: datetime | None
    waitlist_place: int | None = Field(description="1 for the first in line; None if not waiting")


class Roster(BaseModel):
    session_id: uuid.UUID
    capacity: int
    confirmed_count: int
    waitlist_count: int
    entries: list[RosterEntry]


class BookingPolicyBody(InputModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)
    opens_days_before: int = Field(14, ge=0, le=365)
    closes_minutes_before: int = Field(0, ge=0, le=10080)
    late_cancel_minutes: int = Field(120, ge=0, le=10080)
    late_cancel_fee: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    late_cancel_forfeits_credit: bool = True
    no_show_fee: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    no_show_forfeits_credit: bool = True
    currency: str | None = Field(
        None,
        pattern=r"^[A-Z]{3}$",
        description="Fees are charged in the currency of the plan or location they arise "
        "from; this is the last resort, and the tenant's currency when not given",
    )
    grace_allowance: int = Field(1, ge=0, le=100)
    grace_period_days: int = Field(30, ge=1, le=366)
    late_after_minutes: int = Field(10, ge=0, le=600)


class BookingPolicyRead(BookingPolicyBody):
    model_config = ConfigDict(from_attributes=True)
    updated_at: datetime | None


class PenaltyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    booking_id: uuid.UUID
    member_id: uuid.UUID
    kind: PenaltyKind
    outcome: PenaltyOutcome
    amount: Decimal | None
    currency: str | None
    payment_id: uuid.UUID | None
    created_at: datetime
    waived_by: uuid.UUID | None
    waived_reason: str | None
    waived_at: datetime | None


class PenaltyPage(BaseModel):
    items: list[PenaltyRead]
    next_offset: int | None


class PenaltyWaive(InputModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=300)


class TodaySession(BaseModel):
    session_id: uuid.UUID
    session_type_id: uuid.UUID
    session_type: str
    instructor_id: uuid.UUID | None
    starts_at: datetime
    ends_at: datetime
    status: str
    capacity: int
    booked: int
    waitlisted: int
    checked_in: int
    no_shows: int
    fill_rate: float = Field(description="Booked places over capacity, 0..1")


class TodayOverview(BaseModel):
    location_id: uuid.UUID
    date: str
    timezone: str
    sessions: list[TodaySession]


class AttendanceGroup(BaseModel):
    key: str = Field(description="Session type id, 'HH:MM' local start, or instructor id")
    label: str
    sessions: int
    capacity: int
    booked: int
    attended: int
    no_shows: int
    attendance_rate: float = Field(description="Attended over booked (0 when none booked)")
    fill_rate: float = Field(description="Booked over capacity (0 when no capacity)")


class AttendanceOverview(BaseModel):
    group_by: str
    items: list[AttendanceGroup]


class MemberCalendar(BaseModel):
    feed_url: str = Field(description="Private: anyone with this address sees your bookings")
    path: str
