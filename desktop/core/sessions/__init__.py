"""Sessions and bookings at the kiosk. No Qt."""

from desktop.core.sessions.service import (
    NeedsPass,
    SessionBooking,
    SessionCheckin,
    SessionService,
)
from desktop.core.store import RosterEntry, SessionView

__all__ = [
    "NeedsPass",
    "RosterEntry",
    "SessionBooking",
    "SessionCheckin",
    "SessionService",
    "SessionView",
]
