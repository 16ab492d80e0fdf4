"""An enrolment's lifecycle: which status may follow which."""

from __future__ import annotations

from enum import StrEnum


class EnrolmentStatus(StrEnum):
    ENROLLED = "enrolled"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    DROPPED = "dropped"


#: Live enrolments keep their template version when the template is edited.
LIVE = frozenset({EnrolmentStatus.ENROLLED, EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED})

_NEXT: dict[EnrolmentStatus, frozenset[EnrolmentStatus]] = {
    EnrolmentStatus.ENROLLED: frozenset({EnrolmentStatus.ACTIVE, EnrolmentStatus.DROPPED}),
    EnrolmentStatus.ACTIVE: frozenset(
        {EnrolmentStatus.PAUSED, EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED}
    ),
    EnrolmentStatus.PAUSED: frozenset({EnrolmentStatus.ACTIVE, EnrolmentStatus.DROPPED}),
    EnrolmentStatus.COMPLETED: frozenset(),
    EnrolmentStatus.DROPPED: frozenset(),
}


def may_move(current: EnrolmentStatus, to: EnrolmentStatus) -> bool:
    return to in _NEXT[current]
