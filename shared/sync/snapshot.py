"""What a kiosk downloads about its location: the whole scope, in one document.

The incremental pull of the sync protocol sends the same rows as changes; this document is
the first download and the reset after a cursor has expired.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from shared.closures import ClosureDays
from shared.door_rules import DEFAULT_CLASS_CHECKIN_OPENS_MINUTES, DEFAULT_REENTRY_MINUTES
from shared.enums import (
    Attendance,
    BookingStatus,
    LimitMode,
    LimitPeriod,
    LocationRule,
    MembershipStatus,
    PlanKind,
    SessionStatus,
    StaffRole,
)
from shared.opening_hours import OpeningHours
from shared.time_windows import TimeWindow


class SnapshotTenant(BaseModel):
    id: uuid.UUID
    name: str


class SnapshotLocation(BaseModel):
    id: uuid.UUID
    name: str
    timezone: str
    capacity: int | None
    address: str | None
    contact_email: str | None
    contact_phone: str | None
    opening_hours: OpeningHours


class SnapshotPlace(BaseModel):
    """One of the tenant's locations, by name: where a refused plan is valid instead."""

    id: uuid.UUID
    name: str


class SnapshotStaff(BaseModel):
    """A staff member who may act at the kiosk.

    ``pin_verifier`` is the PIN's verifier keyed for the receiving kiosk (see
    :mod:`shared.kiosk_pins`), or None: no PIN, an owner who did not ask for kiosks to know
    it, or a kiosk the server has no key of yet."""

    id: uuid.UUID
    name: str
    role: StaffRole
    pin_verifier: str | None = None
    #: The PIN's tenant-wide index keyed the same way: finds whose PIN it is with one hash
    #: (see :mod:`shared.kiosk_pins`); None for PINs set before indexes existed.
    pin_lookup: str | None = None
    #: Always None: kiosks no longer get PIN hashes; kiosks of earlier versions need the key.
    pin_hash: None = None


class SnapshotPlan(BaseModel):
    id: uuid.UUID
    name: str
    kind: PlanKind
    price: Decimal
    currency: str
    credits: int | None = None
    validity_days: int | None = None
    location_rule: LocationRule
    location_ids: list[uuid.UUID] = Field(default_factory=list)
    visit_limit: int | None = None
    visit_limit_period: LimitPeriod | None = None
    visit_limit_mode: LimitMode = LimitMode.BLOCK
    #: Off-peak windows; empty: any time. Older servers send none.
    time_windows: list[TimeWindow] = Field(default_factory=list)
    active: bool = True


class SnapshotMember(BaseModel):
    id: uuid.UUID
    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None
    barcode: str | None = None
    card_number: str | None = None
    home_location_id: uuid.UUID | None = None
    guest_of_id: uuid.UUID | None = None
    #: For the desk's "Happy birthday!", and telling a walk-in apart from a namesake.
    date_of_birth: date | None = None
    #: When the member's photo last changed (None: no photo); the kiosk fetches a thumbnail.
    photo_updated_at: datetime | None = None
    #: Limited to low intensity until cleared (the latest screening needs a clearance),
    #: unless a clearance holds through ``screening_cleared_until``. No health data.
    screening_limited: bool = False
    screening_cleared_until: date | None = None


class SnapshotMemberAlert(BaseModel):
    """A staff note on a member, shown on the desk side; a resolved one is removed."""

    id: uuid.UUID
    member_id: uuid.UUID
    text: str
    created_at: datetime
    resolved_at: datetime | None = None


class SnapshotEngagement(BaseModel):
    """A member's streaks as the kiosk needs them at the door: the daily and weekly streak
    states (``shared.engagement.codec`` JSON, so the kiosk can apply its own check-ins with
    the shared rules) and the latest badge, which the kiosk shows but never guesses."""

    #: The member's id (a member has one row).
    id: uuid.UUID
    member_id: uuid.UUID
    daily: dict[str, Any]
    weekly: dict[str, Any]
    daily_current: int = 0
    daily_longest: int = 0
    weekly_current: int = 0
    weekly_longest: int = 0
    #: The tenant's day-start hour: the kiosk dates its check-ins as the server does.
    day_start_hour: int = 0
    badge_id: uuid.UUID | None = None
    badge: str | None = None
    badge_explanation: str | None = None
    badge_on: date | None = None


class SnapshotBenefit(BaseModel):
    """A member's payer benefit as the eligibility service last answered (integrated mode):
    the kiosk admits on it offline until ``valid_until`` and tells staff its age."""

    #: The member's id (a member has one row).
    id: uuid.UUID
    member_id: uuid.UUID
    eligible: bool
    reason: str
    benefit_id: str | None = None
    valid_until: datetime
    checked_at: datetime


class SnapshotMembership(BaseModel):
    id: uuid.UUID
    member_id: uuid.UUID
    plan_id: uuid.UUID
    status: MembershipStatus
    starts_on: date
    ends_on: date | None = None
    frozen_until: date | None = None
    credits_remaining: int | None = None
    home_location_id: uuid.UUID | None = None
    #: The company that pays for it (a corporate membership of a live account), which the
    #: door names as the server's does.
    covered_by: str | None = None


class SnapshotPassKey(BaseModel):
    """A tenant's public key for verifying member passes offline."""

    key_id: int
    public_key: str = Field(description="Raw 32-byte Ed25519 public key, base64")


class SnapshotRevokedPass(BaseModel):
    """A revoked member pass the kiosk must refuse until it expires anyway."""

    id: uuid.UUID
    member_id: uuid.UUID
    expires_at: datetime


class SnapshotCheckin(BaseModel):
    """An admitted check-in anywhere in the tenant: the kiosk counts visits with it."""

    id: uuid.UUID
    member_id: uuid.UUID
    location_id: uuid.UUID
    membership_id: uuid.UUID | None = None
    admitted: bool = True
    occurred_at: datetime
    #: A re-entry: the admission whose visit this is (it counts as no visit).
    repeat_of: uuid.UUID | None = None


class SnapshotCheckinPolicy(BaseModel):
    """The tenant's door rules, held under the tenant's id (one row)."""

    id: uuid.UUID
    reentry_window_minutes: int = DEFAULT_REENTRY_MINUTES
    class_checkin_opens_minutes: int = DEFAULT_CLASS_CHECKIN_OPENS_MINUTES


class SnapshotReviewItem(BaseModel):
    """Something staff should look at, found by the server."""

    id: uuid.UUID
    location_id: uuid.UUID
    kind: str
    member_id: uuid.UUID | None = None
    checkin_id: uuid.UUID | None = None
    summary: str
    status: str = "open"
    created_at: datetime
    resolved_at: datetime | None = None
    resolution_note: str | None = None


class SnapshotSessionType(BaseModel):
    id: uuid.UUID
    name: str
    kind: str
    category: str
    duration_minutes: int
    default_capacity: int
    requires_approval: bool = False
    active: bool = True
    #: shared.enums.Intensity (None: sent before kiosks were told it).
    intensity: str | None = None


class SnapshotClassSession(BaseModel):
    """A session at the kiosk's location, with its counts as the server holds them."""

    id: uuid.UUID
    location_id: uuid.UUID
    session_type_id: uuid.UUID
    #: The session type's name when the row was sent.
    name: str
    instructor_name: str | None = None
    starts_at: datetime
    ends_at: datetime
    capacity: int
    #: Bookings holding a place (confirmed or pending approval).
    confirmed_count: int = 0
    waitlist_count: int = 0
    status: SessionStatus = SessionStatus.SCHEDULED
    room: str | None = None


class SnapshotBooking(BaseModel):
    """A booking of one of those sessions."""

    id: uuid.UUID
    session_id: uuid.UUID
    member_id: uuid.UUID
    status: BookingStatus
    position: int
    attendance: Attendance | None = None
    checked_in_at: datetime | None = None


class KioskSnapshot(BaseModel):
    tenant: SnapshotTenant
    location: SnapshotLocation
    staff: list[SnapshotStaff]
    server_time: datetime
    plans: list[SnapshotPlan] = Field(default_factory=list)
    members: list[SnapshotMember] = Field(default_factory=list)
    memberships: list[SnapshotMembership] = Field(default_factory=list)
    pass_keys: list[SnapshotPassKey] = Field(default_factory=list)
    revoked_pass_ids: list[uuid.UUID] = Field(default_factory=list)
    #: Admitted check-ins in the current visit-limit periods of limited memberships (the
    #: kiosk counts visits from these and the ones it pulls or makes), and the day's
    #: admissions at the kiosk's location (who is in already).
    checkins: list[SnapshotCheckin] = Field(default_factory=list)
    checkin_policy: list[SnapshotCheckinPolicy] = Field(
        default_factory=list, description="The tenant's door rules (one row)"
    )
    #: The pull cursor this document is consistent with: pull from here after applying it.
    cursor: int = 0
    review_items: list[SnapshotReviewItem] = Field(
        default_factory=list, description="This location's open review items"
    )
    #: Bookable things at this location (schema version 2; the keys are the pull's table
    #: names, so the kiosk replaces each table with its list).
    session_types: list[SnapshotSessionType] = Field(default_factory=list)
    class_sessions: list[SnapshotClassSession] = Field(
        default_factory=list, description="This location's sessions from yesterday on"
    )
    bookings: list[SnapshotBooking] = Field(
        default_factory=list, description="The bookings of those sessions"
    )
    places: list[SnapshotPlace] = Field(
        default_factory=list, description="The tenant's locations, by name"
    )
    member_alerts: list[SnapshotMemberAlert] = Field(
        default_factory=list, description="Staff alerts on members, open ones"
    )
    location_closures: list[ClosureDays] = Field(
        default_factory=list,
        description="This location's closures and special hours, from yesterday on",
    )
    member_engagement: list[SnapshotEngagement] = Field(
        default_factory=list,
        description="Members' streak states and latest badges: the recently active ones",
    )
    benefit_snapshots: list[SnapshotBenefit] = Field(
        default_factory=list,
        description="Members' payer benefits as last checked (integrated mode), unexpired",
    )
