"""What a kiosk downloads about its location: the whole scope, in one document."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from shared.enums import StaffRole
from shared.opening_hours import OpeningHours


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


class SnapshotStaff(BaseModel):
    """A staff member who may act at the kiosk. ``pin_hash`` is an argon2 hash or None."""

    id: uuid.UUID
    name: str
    role: StaffRole
    pin_hash: str | None


class KioskSnapshot(BaseModel):
    tenant: SnapshotTenant
    location: SnapshotLocation
    staff: list[SnapshotStaff]
    server_time: datetime
