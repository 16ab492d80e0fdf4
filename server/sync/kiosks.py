"""Who is syncing: the kiosk device and its location, as the sync engine sees them.

The engine knows no domain: the devices domain plugs in a :class:`Kiosks` directory, and
the rows it returns (a device, a location) are read through these protocols.
"""

from __future__ import annotations

import uuid
from typing import Protocol

from server.db.uow import UnitOfWork
from server.ports.identity import AccessClaims


class KioskDevice(Protocol):
    @property
    def tenant_id(self) -> uuid.UUID: ...

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def name(self) -> str: ...

    @property
    def location_id(self) -> uuid.UUID: ...

    @property
    def pin_key(self) -> str | None:
        """The key (hex) this device shares with the server for what it must hold keyed."""
        ...


class KioskLocation(Protocol):
    @property
    def id(self) -> uuid.UUID: ...

    @property
    def name(self) -> str: ...

    @property
    def timezone(self) -> str: ...


class Kiosks(Protocol):
    def live_device(self, *, uow: UnitOfWork, claims: AccessClaims) -> KioskDevice:
        """The calling kiosk; refused (401) when it was revoked since its token was issued."""
        ...

    def location(self, *, uow: UnitOfWork, device: KioskDevice) -> KioskLocation:
        """The kiosk's location; 404 when it has been archived."""
        ...

    def serves_here(self, *, uow: UnitOfWork, device: KioskDevice, staff_id: uuid.UUID) -> bool:
        """Whether ``staff_id`` is staff of the tenant who may work at the kiosk's location."""
        ...


def device_key(device: KioskDevice) -> bytes | None:
    """The device's PIN key as bytes, or None when the server has none (or a damaged one)."""
    try:
        return bytes.fromhex(device.pin_key) if device.pin_key else None
    except ValueError:
        return None
