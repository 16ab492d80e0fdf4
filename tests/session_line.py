"""A model of one session's places and waitlist, as the database keeps them: the reference
the booking code is checked against (property tests, concurrency tests)."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.enums import BookingStatus


@dataclass
class SessionLine:
    """One session's places and waitlist."""

    capacity: int
    confirmed: list[int] = field(default_factory=list)
    waitlist: list[int] = field(default_factory=list)
    next_position: int = 1

    def book(self) -> tuple[int, BookingStatus]:
        position = self.next_position
        self.next_position += 1
        if len(self.confirmed) < self.capacity:
            self.confirmed.append(position)
            return position, BookingStatus.CONFIRMED
        self.waitlist.append(position)
        return position, BookingStatus.WAITLISTED

    def cancel(self, position: int) -> list[int]:
        """Cancel a booking; returns the positions promoted into freed places."""
        if position in self.waitlist:
            self.waitlist.remove(position)
            return []
        self.confirmed.remove(position)
        return self.promote()

    def set_capacity(self, capacity: int) -> list[int]:
        if capacity < len(self.confirmed):
            raise ValueError("capacity below the places already booked")
        self.capacity = capacity
        return self.promote()

    def promote(self) -> list[int]:
        promoted = []
        while self.waitlist and len(self.confirmed) < self.capacity:
            position = self.waitlist.pop(0)
            self.confirmed.append(position)
            promoted.append(position)
        return promoted
