"""Who is syncing: the kiosk device and its location, as the sync engine sees them.

The engine knows no domain: the devices domain plugs in a :class:`Kiosks` directory, and
the rows it returns (a device, a location) are read through these protocols.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
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


@dataclass(frozen=True)
class OutboxReport:
    """What a kiosk says of its outbox with a pull: changes the server has not accepted yet
    and how old the oldest is (seconds by the kiosk's clock: an age, so that a kiosk whose
    clock is off still reports it right)."""

    pending: int
    oldest_age_seconds: float | None


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

    def note_contact(
        self, *, uow: UnitOfWork, device: KioskDevice, report: OutboxReport | None
    ) -> bool:
        """Remember that the kiosk was in touch, and what it reported of its outbox, on the
        device (loaded in ``uow``); True when that changed anything (the caller commits).
        A kiosk pulls every few seconds: this writes only what changed, and the time of
        contact only once a minute or so."""
        ...


def device_key(device: KioskDevice) -> bytes | None:
    """The device's PIN key as bytes, or None when the server has none (or a damaged one)."""
    try:
        return bytes.fromhex(device.pin_key) if device.pin_key else None
    except ValueError:
        return None
