"""The tables kiosks download, in the shapes of ``shared.sync.snapshot``.

A later domain registers its own tables next to its models the same way
(``changes.register_synced_table(...)``); the engine needs no change.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from pydantic import BaseModel

from server.checkin.models import Checkin
from server.members.models import Member
from server.passes.models import MemberPass, PassKey
from server.plans.models import AccessPlan, Membership
from server.staff.models import StaffAccount
from server.sync.changes import register_synced_table
from server.sync.models import ReviewItem
from server.tenants.models import Location
from shared.enums import StaffRole
from shared.opening_hours import OpeningHours
from shared.sync import messages as wire
from shared.sync.snapshot import (
    SnapshotCheckin,
    SnapshotLocation,
    SnapshotMember,
    SnapshotMembership,
    SnapshotPassKey,
    SnapshotPlan,
    SnapshotReviewItem,
    SnapshotRevokedPass,
    SnapshotStaff,
)


def _json(model: BaseModel, **exclude: Any) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude=set(exclude) or None)


def location_shape(row: Location) -> SnapshotLocation:
    return SnapshotLocation(
        id=row.id,
        name=row.name,
        timezone=row.timezone,
        capacity=row.capacity,
        address=row.address,
        contact_email=row.contact_email,
        contact_phone=row.contact_phone,
        opening_hours=OpeningHours.model_validate(row.opening_hours),
    )


def _location(row: Location) -> dict[str, Any] | None:
    return None if row.archived_at is not None else _json(location_shape(row))


def _staff(row: StaffAccount) -> dict[str, Any] | None:
    if not row.active:
        return None
    shape = SnapshotStaff(id=row.id, name=row.name, role=StaffRole(row.role), pin_hash=row.pin_hash)
    return _json(shape)


def _staff_at(row: StaffAccount, location_id: uuid.UUID) -> bool:
    return row.home_location_id is None or row.home_location_id == location_id


def _member(row: Member) -> dict[str, Any] | None:
    if row.archived_at is not None:
        return None
    return _json(SnapshotMember.model_validate(row, from_attributes=True))


def _membership(row: Membership) -> dict[str, Any]:
    # Visit counts are the kiosk's to make, from the check-ins it downloads.
    shape = SnapshotMembership.model_validate(row, from_attributes=True)
    return _json(shape, visits_this_period=True)


def _pass_key(row: PassKey) -> dict[str, Any]:
    public = base64.b64encode(row.public_key).decode()
    return _json(SnapshotPassKey(key_id=row.key_id, public_key=public))


def _revoked(row: MemberPass) -> dict[str, Any]:
    return _json(SnapshotRevokedPass(id=row.id, member_id=row.member_id, expires_at=row.expires_at))


def checkin_shape(row: Checkin) -> SnapshotCheckin:
    return SnapshotCheckin.model_validate(row, from_attributes=True)


def review_shape(row: ReviewItem) -> SnapshotReviewItem:
    return SnapshotReviewItem.model_validate(row, from_attributes=True)


def register() -> None:
    register_synced_table(
        wire.TABLE_LOCATIONS, Location, serialise=_location, location=lambda row: row.id
    )
    register_synced_table(wire.TABLE_STAFF, StaffAccount, serialise=_staff, visible_at=_staff_at)
    register_synced_table(
        wire.TABLE_PLANS,
        AccessPlan,
        serialise=lambda row: _json(SnapshotPlan.model_validate(row, from_attributes=True)),
    )
    register_synced_table(wire.TABLE_MEMBERS, Member, serialise=_member)
    register_synced_table(wire.TABLE_MEMBERSHIPS, Membership, serialise=_membership)
    register_synced_table(wire.TABLE_PASS_KEYS, PassKey, serialise=_pass_key)
    register_synced_table(
        wire.TABLE_REVOKED_PASSES,
        MemberPass,
        serialise=_revoked,
        include=lambda row: row.revoked_at is not None,
    )
    register_synced_table(
        wire.TABLE_CHECKINS,
        Checkin,
        serialise=lambda row: _json(checkin_shape(row)),
        include=lambda row: bool(row.admitted),
    )
    register_synced_table(
        wire.TABLE_REVIEW_ITEMS,
        ReviewItem,
        serialise=lambda row: _json(review_shape(row)),
        location=lambda row: row.location_id,
    )


register()
