"""API schemas of bookings, booking policies, penalties and the provider overview."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from server.api.bodies import Patching, Replacing
from shared.enums import (
    Attendance,
    BookingSource,
    BookingStatus,
    CancelKind,
    PenaltyKind,
    PenaltyOutcome,
)
from shared.inputs import InputModel
from shared.local_times import local


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
    timezone: str | None = Field(None, description="The class's location's zone (IANA)")
    starts_at_local: datetime | None = Field(
        None, description="The start at the location, with its UTC offset (starts_at is UTC)"
    )
    ends_at_local: datetime | None = Field(
        None, description="The end at the location, with its UTC offset"
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="Risk flags of the member this class is not advised for (when booked)",
    )


def booking_read(row: object, timezone: str | None, *, warnings: Sequence[str] = ()) -> BookingRead:
    """A booking as people read it: its times in UTC and at the class's location."""
    read = BookingRead.model_validate(row)
    read.warnings = list(warnings)
    if timezone is not None:
        read.timezone = timezone
        read.starts_at_local = local(read.starts_at, timezone)
        read.ends_at_local = local(read.ends_at, timezone)
    return read


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
    items: list[RosterEntry]
    next_offset: int | None
    total: int = Field(description="Everyone on the roster, across its pages")


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


class BookingPolicyReplace(Replacing, BookingPolicyBody):
    """The whole booking policy, every field sent (``PUT``)."""


class BookingPolicyPatch(Patching, BookingPolicyBody):
    """The fields of the booking policy to change (``PATCH``); null clears a fee."""


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
    waived_by: uuid.UUID | Literal["system"] | None = Field(
        description="The staff member who waived it, or `system` when ZMOS did (attendance "
        "recorded after the no-show was charged)"
    )
    waived_reason: str | None
    waived_at: datetime | None

    @model_validator(mode="after")
    def _system_waiver(self) -> PenaltyRead:
        # A waiver no one signed is the system's own: it is recorded without a staff id.
        if self.waived_at is not None and self.waived_by is None:
            self.waived_by = "system"
        return self


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
    location_id: uuid.UUID
    location: str
    timezone: str
    instructor_id: uuid.UUID | None
    instructor: str | None = Field(description="The instructor's name")
    starts_at: datetime
    ends_at: datetime
    starts_at_local: datetime = Field(description="The start at the location, with its offset")
    ends_at_local: datetime = Field(description="The end at the location, with its offset")
    status: str = Field(
        description="scheduled, cancelled, or ended (a scheduled session whose end has passed)"
    )
    ended: bool
    capacity: int
    confirmed_count: int
    waitlist_count: int
    checked_in: int
    no_shows: int
    fill_rate: float = Field(description="Booked places over capacity, 0..1")


class LocationDay(BaseModel):
    location_id: uuid.UUID
    location: str
    timezone: str
    date: str = Field(description="The location's local day")
    sessions: int
    door_visits: int = Field(description="Members admitted at the door (re-entries not counted)")
    class_checkins: int = Field(description="Members checked into a class")


class TodayOverview(BaseModel):
    location_id: uuid.UUID | None = Field(description="The location asked for; None: all")
    date: str | None = Field(
        description="The day asked for, or one location's local today; None when all "
        "locations are shown each on its own local today"
    )
    timezone: str | None = Field(description="The zone of the location asked for")
    locations: list[LocationDay]
    sessions: list[TodaySession]


class AttendanceGroup(BaseModel):
    key: str = Field(description="Session type id, 'HH:MM' local start, or instructor id")
    label: str = Field(description="Session type name, 'HH:MM', or the instructor's name")
    sessions: int
    capacity: int
    confirmed_count: int = Field(
        description="Confirmed bookings of the sessions, past and still to come"
    )
    attended: int
    no_shows: int
    ended_booked: int = Field(
        description="Places booked in sessions that have ended: what attendance is rated on"
    )
    attendance_rate: float = Field(
        description="Attended over places booked in sessions that have ended (0 when none); "
        "bookings of sessions still to come do not count"
    )
    fill_rate: float = Field(description="Booked over capacity (0 when no capacity)")


class AttendanceOverview(BaseModel):
    group_by: str
    items: list[AttendanceGroup]


class MemberCalendar(BaseModel):
    feed_url: str = Field(description="Private: anyone with this address sees your bookings")
    path: str
