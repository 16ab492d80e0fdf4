"""Data access for devices and enrolment codes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update

from server.db.repository import TenantRepository
from server.devices.models import Device, EnrolmentCode


class DeviceRepository(TenantRepository[Device]):
    model = Device
    noun = "device"


class EnrolmentCodeRepository(TenantRepository[EnrolmentCode]):
    model = EnrolmentCode
    noun = "enrolment code"

    def by_hash(self, code_hash: str) -> EnrolmentCode | None:
        row: EnrolmentCode | None = self.db.execute(
            self._select().where(EnrolmentCode.code_hash == code_hash)
        ).scalar_one_or_none()
        return row

    def claim(self, code_id: uuid.UUID, device_id: uuid.UUID, now: datetime) -> bool:
        """Mark the code used by ``device_id`` unless another kiosk already claimed it."""
        result = self.db.execute(
            update(EnrolmentCode)
            .where(
                EnrolmentCode.tenant_id == self.tenant_id,
                EnrolmentCode.id == code_id,
                EnrolmentCode.used_at.is_(None),
            )
            .values(used_at=now, device_id=device_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
