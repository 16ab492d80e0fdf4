"""The cached tenant, location and staff: the scope a snapshot describes. Callers own the
transaction."""

from __future__ import annotations

import sqlite3
import uuid

from desktop.core.store.closures import ClosureRows
from desktop.core.store.records import CachedLocation, CachedStaff, LocationRef
from shared.enums import StaffRole
from shared.opening_hours import OpeningHours
from shared.sync.snapshot import KioskSnapshot


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
            """INSERT INTO staff (id, tenant_id, name, role, pin_verifier, pin_lookup)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [
                (str(s.id), str(tenant.id), s.name, s.role.value, s.pin_verifier, s.pin_lookup)
                for s in snapshot.staff
            ],
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
            closures=ClosureRows(self._conn).all(),
        )

    def location_ref(self) -> LocationRef | None:
        """The cached location's ids and time zone, without parsing its opening hours."""
        row = self._conn.execute("SELECT id, tenant_id, timezone FROM location").fetchone()
        if row is None:
            return None
        return LocationRef(uuid.UUID(row["id"]), uuid.UUID(row["tenant_id"]), row["timezone"])

    def staff(self) -> list[CachedStaff]:
        rows = self._conn.execute(
            "SELECT id, name, role, pin_verifier, pin_lookup FROM staff ORDER BY name"
        )
        return [
            CachedStaff(
                id=uuid.UUID(r["id"]),
                name=r["name"],
                role=StaffRole(r["role"]),
                pin_verifier=r["pin_verifier"],
                pin_lookup=r["pin_lookup"],
            )
            for r in rows
        ]
