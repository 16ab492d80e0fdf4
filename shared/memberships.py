"""A membership's life cycle as of a day, shared by the server and the kiosk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from shared.enums import MembershipStatus, PlanKind

#: A renewal that was not paid: set by the renewal job, cleared by a successful charge.
UNPAID = frozenset(
    {MembershipStatus.PAST_DUE, MembershipStatus.SUSPENDED, MembershipStatus.AWAITING_PAYMENT}
)
#: What the door says for an unpaid membership (a refusal when suspended, a warning when
#: past due).
PAYMENT_OVERDUE = "Payment overdue"


@dataclass(frozen=True)
class MembershipState:
    status: MembershipStatus
    starts_on: date
    ends_on: date | None
    frozen_until: date | None


def effective_status(state: MembershipState, today: date) -> MembershipStatus:
    """The status as of ``today``: expiry and the end of a freeze need no job to apply them.

    ``ends_on`` is the last valid day; ``frozen_until`` is the day the membership resumes.
    """
    if state.status is MembershipStatus.CANCELLED:
        return MembershipStatus.CANCELLED
    if state.ends_on is not None and today > state.ends_on:
        return MembershipStatus.EXPIRED
    if state.status is MembershipStatus.FROZEN and (
        state.frozen_until is None or today < state.frozen_until
    ):
        return MembershipStatus.FROZEN
    if today < state.starts_on:
        return MembershipStatus.PENDING
    if state.status in UNPAID:
        return state.status
    return MembershipStatus.ACTIVE


MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)


def human_date(day: date, today: date | None = None) -> str:
    """'3 March', with the year only when it is not the current one."""
    text = f"{day.day} {MONTHS[day.month - 1]}"
    return text if today is None or day.year == today.year else f"{text} {day.year}"


def can_host_guests(memberships: Iterable[tuple[PlanKind, MembershipState]], today: date) -> bool:
    """Whether a member may bring a guest on a guest pass: a membership active ``today``
    that is not itself a day or guest pass."""
    passes = (PlanKind.DAY_PASS, PlanKind.GUEST_PASS)
    return any(
        kind not in passes and effective_status(state, today) is MembershipStatus.ACTIVE
        for kind, state in memberships
    )
