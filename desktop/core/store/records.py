"""The kiosk store's records: plain frozen dataclasses read from and written to its tables.

Enrolment and scope (device, location, staff), pulled and local members, plans and
memberships, check-ins, sessions and bookings, the outbox and the sync bookkeeping.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from shared.closures import ClosureDays
from shared.enums import (
    BookingStatus,
    CheckinMethod,
    LimitMode,
    LimitPeriod,
    LocationRule,
    MembershipStatus,
    PlanKind,
    SessionStatus,
    StaffRole,
)
from shared.opening_hours import OpeningHours
from shared.sync.snapshot import SnapshotPlan
from shared.time_windows import TimeWindow

# -- enrolment and the location's scope ----------------------------------------------------


@dataclass(frozen=True)
class DeviceSettings:
    device_id: uuid.UUID
    tenant_id: uuid.UUID
    location_id: uuid.UUID
    server_url: str
    device_name: str
    enrolled_at: datetime
    db_instance_id: str


@dataclass(frozen=True)
class CachedLocation:
    id: uuid.UUID
    tenant_id: uuid.UUID
    tenant_name: str
    name: str
    timezone: str
    capacity: int | None
    address: str | None
    contact_email: str | None
    contact_phone: str | None
    opening_hours: OpeningHours
    #: Closures and special hours, in date order.
    closures: tuple[ClosureDays, ...] = ()


@dataclass(frozen=True)
class LocationRef:
    id: uuid.UUID
    tenant_id: uuid.UUID
    timezone: str


@dataclass(frozen=True)
class CachedStaff:
    id: uuid.UUID
    name: str
    role: StaffRole
    #: The PIN's verifier keyed with this device's key (``shared.kiosk_pins``), or None.
    pin_verifier: str | None
    #: The PIN's tenant-wide index, keyed the same way: finds the staff member with one hash.
    pin_lookup: str | None = None


# -- members, plans, memberships, check-ins ------------------------------------------------


@dataclass(frozen=True)
class CachedPlan:
    """An access plan; the same fields as :class:`shared.sync.snapshot.SnapshotPlan`."""

    id: uuid.UUID
    name: str
    kind: PlanKind
    price: Decimal
    currency: str
    credits: int | None
    validity_days: int | None
    location_rule: LocationRule
    location_ids: tuple[uuid.UUID, ...]
    visit_limit: int | None
    visit_limit_period: LimitPeriod | None
    visit_limit_mode: LimitMode
    active: bool
    time_windows: tuple[TimeWindow, ...] = ()

    @classmethod
    def from_snapshot(cls, plan: SnapshotPlan) -> CachedPlan:
        data = plan.model_dump()
        data["location_ids"] = tuple(plan.location_ids)
        data["time_windows"] = tuple(plan.time_windows)
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> CachedPlan:
        return _plan_from_json(text)

    def to_json(self) -> str:
        data: dict[str, Any] = dict(self.__dict__)
        data["location_ids"] = list(self.location_ids)
        data["time_windows"] = list(self.time_windows)
        return SnapshotPlan(**data).model_dump_json()


@functools.lru_cache(maxsize=256)
def _plan_from_json(text: str) -> CachedPlan:
    """Plans are few and immutable: parse each stored document once."""
    return CachedPlan.from_snapshot(SnapshotPlan.model_validate_json(text))


@dataclass(frozen=True)
class CachedMembership:
    """A membership with its plan, pulled or sold here (``local``).

    ``credits_remaining`` already counts this kiosk's admissions the server has not seen.
    """

    id: uuid.UUID
    member_id: uuid.UUID
    plan: CachedPlan
    status: MembershipStatus
    starts_on: date
    ends_on: date | None
    frozen_until: date | None
    credits_remaining: int | None
    home_location_id: uuid.UUID | None
    local: bool = False
    #: The company that pays for it (a corporate membership), named at the door.
    covered_by: str | None = None

    @property
    def plan_id(self) -> uuid.UUID:
        return self.plan.id


@dataclass(frozen=True)
class MemberRecord:
    id: uuid.UUID
    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None
    barcode: str | None = None
    card_number: str | None = None
    home_location_id: uuid.UUID | None = None
    guest_of_id: uuid.UUID | None = None
    #: Registered at this kiosk and not yet part of a snapshot.
    local: bool = False
    date_of_birth: date | None = None

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class CheckinRecord:
    id: uuid.UUID
    member_id: uuid.UUID
    membership_id: uuid.UUID | None
    pass_id: uuid.UUID | None
    method: CheckinMethod
    admitted: bool
    reason: str
    warning: str | None
    override_staff_id: uuid.UUID | None
    override_reason: str | None
    occurred_at: datetime
    mutation_id: int = 0
    #: A re-entry: the admission whose visit this is (no credit, no visit).
    repeat_of: uuid.UUID | None = None


# -- sessions and bookings ------------------------------------------------------------------


@dataclass(frozen=True)
class SessionView:
    """A session with its live places: the server's counts plus this kiosk's bookings the
    server has not counted yet."""

    id: uuid.UUID
    name: str
    instructor_name: str | None
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int
    waitlisted: int
    status: SessionStatus
    room: str | None
    #: This kiosk's bookings among ``booked`` still waiting for the server's answer.
    pending: int = 0

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def cancelled(self) -> bool:
        return self.status is SessionStatus.CANCELLED


@dataclass(frozen=True)
class RosterEntry:
    booking_id: uuid.UUID
    member_id: uuid.UUID
    member_name: str
    #: The server's status; for a booking made here and not yet answered, confirmed (asking
    #: for a place) or waitlisted (put in line at the desk).
    status: BookingStatus
    position: int
    #: Checked in (here, or anywhere as the server says).
    checked_in: bool
    checked_in_at: datetime | None
    #: Made or checked in here and not yet acknowledged by the server.
    pending: bool
    #: Checked in here, but the server put the booking on the waitlist or cancelled it:
    #: a review item says what to do.
    needs_review: bool = False
    #: The place in the waitlist, from 1 (``position`` numbers every booking of the session).
    waitlist_place: int | None = None

    @property
    def state(self) -> str:
        """What the roster shows."""
        if self.needs_review:
            return f"{self.status.value} — review"
        if self.checked_in:
            return "checked in (not synced yet)" if self.pending else "checked in"
        if self.status is BookingStatus.WAITLISTED:
            # Put in line here: the server has not given the place in line yet.
            if self.waitlist_place is None:
                return "waitlisted (pending)"
            return f"waitlisted (#{self.waitlist_place})"
        label = "booked" if self.status is BookingStatus.CONFIRMED else self.status.value
        return f"{label} (not synced yet)" if self.pending else label


@dataclass(frozen=True)
class BookingRef:
    """A member's live booking of a session, as the kiosk sees it."""

    id: uuid.UUID
    status: BookingStatus
    position: int
    attended: bool
    local: bool
    #: The place in the waitlist, from 1, when the booking is waitlisted.
    waitlist_place: int | None = None


# -- the outbox and sync bookkeeping -------------------------------------------------------


@dataclass(frozen=True)
class OutboxEntry:
    mutation_id: int
    name: str
    args: dict[str, Any]
    device_time: datetime
    hlc: str
    created_at: datetime


@dataclass(frozen=True)
class SyncRecord:
    """What staff see of the last sync attempts."""

    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    server_time: datetime | None


@dataclass(frozen=True)
class SyncState:
    cursor: int
    #: Whether the cursor came from the server (a snapshot with a cursor, or a pull).
    has_cursor: bool
    last_mutation_id: int
    mutation_base: int
    last_pull_at: datetime | None
    last_push_at: datetime | None


@dataclass(frozen=True)
class RejectedMutation:
    mutation_id: int
    name: str
    args: dict[str, object]
    device_time: datetime
    reason: str
    rejected_at: datetime
