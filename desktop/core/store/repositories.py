"""Repositories over one sqlite3 connection. They never commit: callers own transactions."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime

from shared.clock import ensure_utc
from shared.enums import StaffRole
from shared.opening_hours import OpeningHours
from shared.sync.snapshot import KioskSnapshot


def _ts(value: datetime | None) -> str | None:
    return None if value is None else ensure_utc(value).isoformat()


def _dt(value: str | None) -> datetime | None:
    return None if value is None else ensure_utc(datetime.fromisoformat(value))


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
    pin_hash: str | None


@dataclass(frozen=True)
class SyncRecord:
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    server_time: datetime | None


class DeviceRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self) -> DeviceSettings | None:
        row = self._conn.execute("SELECT * FROM device WHERE singleton = 1").fetchone()
        if row is None:
            return None
        return DeviceSettings(
            device_id=uuid.UUID(row["device_id"]),
            tenant_id=uuid.UUID(row["tenant_id"]),
            location_id=uuid.UUID(row["location_id"]),
            server_url=row["server_url"],
            device_name=row["device_name"],
            enrolled_at=ensure_utc(datetime.fromisoformat(row["enrolled_at"])),
            db_instance_id=row["db_instance_id"],
        )

    def save(self, device: DeviceSettings) -> None:
        self._conn.execute(
            """INSERT INTO device (singleton, device_id, tenant_id, location_id, server_url,
                                   device_name, enrolled_at, db_instance_id)
               VALUES (1, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (singleton) DO UPDATE SET
                   device_id = excluded.device_id, tenant_id = excluded.tenant_id,
                   location_id = excluded.location_id, server_url = excluded.server_url,
                   device_name = excluded.device_name, enrolled_at = excluded.enrolled_at,
                   db_instance_id = excluded.db_instance_id""",
            (
                str(device.device_id),
                str(device.tenant_id),
                str(device.location_id),
                device.server_url,
                device.device_name,
                _ts(device.enrolled_at),
                device.db_instance_id,
            ),
        )


class ScopeRepository:
    """The cached tenant, location and staff: the scope a snapshot describes."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def clear(self) -> None:
        # Staff and location rows go with their tenant (ON DELETE CASCADE).
        self._conn.execute("DELETE FROM tenant")

    def replace(self, snapshot: KioskSnapshot) -> None:
        """Replace the cached scope with ``snapshot``'s (caller holds the transaction)."""
        self.clear()
        tenant, loc = snapshot.tenant, snapshot.location
        self._conn.execute(
            "INSERT INTO tenant (id, name) VALUES (?, ?)", (str(tenant.id), tenant.name)
        )
        self._conn.execute(
            """INSERT INTO location (id, tenant_id, name, timezone, capacity, address,
                                     contact_email, contact_phone, opening_hours_json)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                str(loc.id),
                str(tenant.id),
                loc.name,
                loc.timezone,
                loc.capacity,
                loc.address,
                loc.contact_email,
                loc.contact_phone,
                loc.opening_hours.model_dump_json(),
            ),
        )
        self._conn.executemany(
            "INSERT INTO staff (id, tenant_id, name, role, pin_hash) VALUES (?, ?, ?, ?, ?)",
            [(str(s.id), str(tenant.id), s.name, s.role.value, s.pin_hash) for s in snapshot.staff],
        )

    def location(self) -> CachedLocation | None:
        row = self._conn.execute(
            """SELECT location.*, tenant.name AS tenant_name
               FROM location JOIN tenant ON tenant.id = location.tenant_id"""
        ).fetchone()
        if row is None:
            return None
        return CachedLocation(
            id=uuid.UUID(row["id"]),
            tenant_id=uuid.UUID(row["tenant_id"]),
            tenant_name=row["tenant_name"],
            name=row["name"],
            timezone=row["timezone"],
            capacity=row["capacity"],
            address=row["address"],
            contact_email=row["contact_email"],
            contact_phone=row["contact_phone"],
            opening_hours=OpeningHours.model_validate_json(row["opening_hours_json"]),
        )

    def location_ref(self) -> LocationRef | None:
        """The cached location's ids and time zone, without parsing its opening hours."""
        row = self._conn.execute("SELECT id, tenant_id, timezone FROM location").fetchone()
        if row is None:
            return None
        return LocationRef(uuid.UUID(row["id"]), uuid.UUID(row["tenant_id"]), row["timezone"])

    def staff(self) -> list[CachedStaff]:
        rows = self._conn.execute("SELECT id, name, role, pin_hash FROM staff ORDER BY name")
        return [
            CachedStaff(
                id=uuid.UUID(r["id"]),
                name=r["name"],
                role=StaffRole(r["role"]),
                pin_hash=r["pin_hash"],
            )
            for r in rows
        ]


class SyncStatusRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self) -> SyncRecord:
        row = self._conn.execute("SELECT * FROM sync_status WHERE singleton = 1").fetchone()
        return SyncRecord(
            last_success_at=_dt(row["last_success_at"]),
            last_attempt_at=_dt(row["last_attempt_at"]),
            last_error=row["last_error"],
            server_time=_dt(row["server_time"]),
        )

    def record_success(self, at: datetime, server_time: datetime | None) -> None:
        self._conn.execute(
            """UPDATE sync_status SET last_success_at = ?, last_attempt_at = ?,
                   last_error = NULL, server_time = ? WHERE singleton = 1""",
            (_ts(at), _ts(at), _ts(server_time)),
        )

    def record_contact(self, at: datetime) -> None:
        """A push or pull went through (the snapshot's ``server_time`` stays)."""
        self._conn.execute(
            """UPDATE sync_status SET last_success_at = ?, last_attempt_at = ?,
                   last_error = NULL WHERE singleton = 1""",
            (_ts(at), _ts(at)),
        )

    def record_failure(self, at: datetime, error: str) -> None:
        self._conn.execute(
            "UPDATE sync_status SET last_attempt_at = ?, last_error = ? WHERE singleton = 1",
            (_ts(at), error),
        )

    def reset(self) -> None:
        self._conn.execute(
            """UPDATE sync_status SET last_success_at = NULL, last_attempt_at = NULL,
                   last_error = NULL, server_time = NULL WHERE singleton = 1"""
        )
