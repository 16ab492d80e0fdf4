"""Messages of the push/pull protocol. Both sides validate them with these models."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.enums import CheckinMethod, MemberSource, MutationStatus
from shared.inputs import InputModel, Text
from shared.payments import DeskPaymentMethod

#: Bumped whenever a message or a mutation's arguments change shape; the server keeps
#: accepting older versions so a kiosk that has not been upgraded keeps syncing.
#: 2: bookings (``booking.create.v1``, ``booking.attend.v1``; tables ``session_types``,
#: ``class_sessions``, ``bookings``) and memberships without ``visits_this_period``. A
#: version-1 kiosk pushes none of the new mutations and skips the tables it does not know.
SCHEMA_VERSION = 2
#: Most mutations one push may carry.
MAX_PUSH_BATCH = 500

_MUTATION_NAME = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+\.v[1-9][0-9]*$")


class Mutation(BaseModel):
    """One user action recorded in a kiosk's outbox."""

    model_config = ConfigDict(extra="forbid")

    mutation_id: int = Field(ge=1, description="Per-device, strictly increasing, no gaps")
    name: Text = Field(examples=["checkin.create.v1"], max_length=100)
    args: dict[str, Any]
    device_time: datetime = Field(description="The kiosk's clock when the action happened")
    hlc: Text = Field(max_length=100, description="The kiosk's hybrid logical clock timestamp")


def is_versioned_mutation_name(name: str) -> bool:
    """Names like 'checkin.create.v1'. The server rejects any other name per mutation, so
    one bad entry never blocks the rest of a kiosk's queue."""
    return bool(_MUTATION_NAME.match(name))


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


# --- Tables a pull may carry (``Change.table``); ``data`` has the shape named beside each.
TABLE_LOCATIONS = "locations"  # SnapshotLocation
TABLE_STAFF = "staff"  # SnapshotStaff
TABLE_PLANS = "plans"  # SnapshotPlan
TABLE_MEMBERS = "members"  # SnapshotMember
TABLE_MEMBERSHIPS = "memberships"  # SnapshotMembership
TABLE_PASS_KEYS = "pass_keys"  # SnapshotPassKey
TABLE_REVOKED_PASSES = "revoked_passes"  # SnapshotRevokedPass
TABLE_CHECKINS = "checkins"  # SnapshotCheckin: admitted check-ins anywhere in the tenant
TABLE_CHECKIN_POLICY = "checkin_policy"  # SnapshotCheckinPolicy: one row, the tenant's
TABLE_REVIEW_ITEMS = "review_items"  # SnapshotReviewItem: this location's, open or resolved
TABLE_SESSION_TYPES = "session_types"  # SnapshotSessionType
TABLE_CLASS_SESSIONS = "class_sessions"  # SnapshotClassSession: this location's, from yesterday
TABLE_BOOKINGS = "bookings"  # SnapshotBooking: bookings of those sessions
TABLE_MEMBER_ALERTS = "member_alerts"  # SnapshotMemberAlert: the tenant's, open or resolved
TABLE_LOCATION_CLOSURES = "location_closures"  # ClosureDays: this location's
TABLE_MEMBER_ENGAGEMENT = "member_engagement"  # SnapshotEngagement: keyed by the member
TABLE_BENEFIT_SNAPSHOTS = "benefit_snapshots"  # SnapshotBenefit: keyed by the member


# --- Arguments of the mutations a kiosk pushes, one model per versioned name. Unknown
# fields are ignored, so a kiosk may send more than a server version knows about.


class _Args(InputModel):
    """Dates out of bounds or text with control characters make a mutation rejected."""

    model_config = ConfigDict(extra="ignore")


class CheckinCreateArgs(_Args):
    """``checkin.create.v1``: a door decision taken at the kiosk. It is a fact."""

    checkin_id: uuid.UUID
    member_id: uuid.UUID
    location_id: uuid.UUID
    membership_id: uuid.UUID | None = None
    pass_id: uuid.UUID | None = None
    method: CheckinMethod
    admitted: bool
    reason: str = Field(max_length=1000)
    warning: str | None = None
    override_by: uuid.UUID | None = None
    override_reason: str | None = Field(None, max_length=300)
    occurred_at: datetime | None = Field(None, description="Default: the mutation's device_time")
    #: A check-in into a booked session (schema 2): the booking holds the class-pack credit
    #: and its attendance (``booking.attend.v1``) is the movement event.
    booking_id: uuid.UUID | None = None


class CheckinCheckoutArgs(_Args):
    """``checkin.checkout.v1``: staff at the desk confirm a visit's minutes, or that the member
    did not train. Again for the same visit: the latest stands."""

    checkin_id: uuid.UUID
    member_id: uuid.UUID
    minutes: int = Field(ge=1, le=600)
    completed: bool = True
    checked_out_at: datetime | None = Field(None, description="Default: the mutation's device_time")


class MemberCreateArgs(_Args):
    """``member.create.v1``: a walk-in registered at the kiosk."""

    member_id: uuid.UUID
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=40)
    home_location_id: uuid.UUID | None = None
    source: MemberSource = MemberSource.DESK
    registered_at: datetime | None = None
    #: Members the kiosk itself thought were the same person (staff registered anyway).
    possible_duplicate_of: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    date_of_birth: date | None = None
    emergency_contact: str | None = Field(None, max_length=200)
    card_number: str | None = Field(None, pattern=r"^[!-~]{1,64}$")
    #: When the walk-in accepted the waiver at the desk (None: not asked, older kiosks).
    waiver_accepted_at: datetime | None = None
    #: The staff member who registered them (None: older kiosks).
    staff_id: uuid.UUID | None = None


class MemberCardAssignArgs(_Args):
    """``member.card.assign.v1``: staff gave an unknown key card to a member at the kiosk."""

    member_id: uuid.UUID
    card_number: str = Field(min_length=1, max_length=64)
    assigned_at: datetime | None = None
    #: The staff member who gave the card (None: older kiosks).
    staff_id: uuid.UUID | None = None


class SaleCreateArgs(_Args):
    """``sale.create.v1``: a day or guest pass sold at the desk; ``sale_id`` is the payment's
    idempotency key and ``membership_id`` the id of the pass it creates."""

    sale_id: uuid.UUID
    membership_id: uuid.UUID | None = None
    member_id: uuid.UUID
    plan_id: uuid.UUID
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    currency: str = Field(min_length=3, max_length=3)
    payment_method: DeskPaymentMethod
    guest_of_id: uuid.UUID | None = None
    location_id: uuid.UUID
    starts_on: date | None = None
    ends_on: date | None = None
    sold_at: datetime | None = None
    staff_id: uuid.UUID | None = None


class BookingCreateArgs(_Args):
    """``booking.create.v1``: a member booked into a session at the kiosk (a walk-in, or a
    check-in into a session without a booking). ``id`` becomes the booking's id; the server
    decides whether it still fits (confirmed) or goes on the waitlist in arrival order."""

    id: uuid.UUID
    session_id: uuid.UUID
    member_id: uuid.UUID
    booked_at: datetime | None = Field(None, description="Default: the mutation's device_time")
    staff_id: uuid.UUID | None = None


class BookingAttendArgs(_Args):
    """``booking.attend.v1``: the member was checked into the session at the kiosk (they are
    in the room). A booking the server waitlisted or cancelled meanwhile opens a review item."""

    booking_id: uuid.UUID
    session_id: uuid.UUID
    member_id: uuid.UUID
    checked_in_at: datetime | None = Field(None, description="Default: the mutation's device_time")
    checkin_id: uuid.UUID | None = None
