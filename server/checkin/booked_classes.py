"""What the door asks of bookings: a member checking in during a class they booked is
attending that booking. Bookings implement it (they import check-ins, not the reverse);
the wiring hands it to the door check-in."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from server.db.uow import UnitOfWork
from server.ports.analytics import PublishedEvent
from shared.door_rules import DoorPolicy


@dataclass(frozen=True)
class BookedClass:
    """A member's booking (holding a place, not yet attended) of a class at a location."""

    booking_id: uuid.UUID
    member_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime


class BookedClasses(Protocol):
    def at_door(
        self,
        uow: UnitOfWork,
        *,
        tenant_id: uuid.UUID,
        member_id: uuid.UUID,
        location_id: uuid.UUID,
        at: datetime,
        policy: DoorPolicy,
    ) -> uuid.UUID | None:
        """The member's booking (holding a place, not yet attended) of a class at the
        location whose check-in window contains ``at``, if any."""
        ...

    def attend(
        self,
        uow: UnitOfWork,
        *,
        tenant_id: uuid.UUID,
        booking_id: uuid.UUID,
        at: datetime,
        checkin_id: uuid.UUID,
    ) -> PublishedEvent | None:
        """Mark the booking attended by this check-in, in the caller's transaction; the
        attendance's movement event to publish after commit (None if already attended)."""
        ...

    def booked_between(
        self,
        uow: UnitOfWork,
        *,
        tenant_id: uuid.UUID,
        member_ids: Sequence[uuid.UUID],
        location_id: uuid.UUID,
        start: datetime,
        end: datetime,
        policy: DoorPolicy,
    ) -> list[BookedClass]:
        """The members' bookings (as :meth:`at_door` finds them) of classes at the location
        whose check-in window overlaps ``start`` … ``end``: a kiosk push's run of check-ins
        asks once for all of them."""
        ...
