"""This database's enrolment: at most one device row. Callers own the transaction."""

from __future__ import annotations

import sqlite3
import uuid

from desktop.core.store.codec import decode_time, encode_time
from desktop.core.store.records import DeviceSettings


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
            enrolled_at=decode_time(row["enrolled_at"]),
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
                encode_time(device.enrolled_at),
                device.db_instance_id,
            ),
        )
