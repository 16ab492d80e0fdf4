"""What scheduling needs of bookings: when a class session is cancelled, moved or given
more places, its bookings follow. The bookings domain does it; bootstrap plugs it in, so
that scheduling never imports bookings."""

from __future__ import annotations

from typing import Protocol

from server.db.uow import UnitOfWork
from server.scheduling.models import ClassSession


class SessionBookings(Protocol):
    """Each works in the caller's open unit of work (the caller commits)."""

    def cancelled(self, *, uow: UnitOfWork, session: ClassSession, reason: str) -> int:
        """Cancel the session's active bookings and tell their members; how many."""
        ...

    def moved(self, *, uow: UnitOfWork, session: ClassSession) -> int:
        """The bookings follow the session's new time; how many members were told."""
        ...

    def grown(self, *, uow: UnitOfWork, session: ClassSession) -> int:
        """More places: the waitlist moves up into them, in order; how many."""
        ...
