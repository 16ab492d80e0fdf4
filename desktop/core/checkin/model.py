"""What the check-in use cases take and give back, and the injected eligibility decision."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from desktop.core.store.records import CachedMembership
from shared.enums import CheckinMethod


@dataclass(frozen=True)
class Decision:
    admitted: bool
    reason: str
    membership_id: uuid.UUID | None = None
    warning: str | None = None
    #: For the desk only (e.g. "ZPS benefit checked 3 h ago").
    staff_note: str | None = None


class Decider(Protocol):
    """The eligibility rules (shared with the server), injected by ``desktop.app``.

    ``memberships`` are the member's pulled and locally sold memberships with their plans;
    ``credits_remaining`` already counts this kiosk's admissions. ``visits_used`` maps a
    membership id to the admitted visits in its plan's current limit period.
    """

    def __call__(
        self,
        *,
        memberships: Sequence[CachedMembership],
        member_home_location_id: uuid.UUID | None,
        location_id: uuid.UUID,
        location_timezone: str,
        at: datetime,
        visits_used: Mapping[uuid.UUID, int],
        credit_prepaid: bool = False,
    ) -> Decision: ...


@dataclass(frozen=True)
class Override:
    """A staff member admits someone the rules refused; both fields are recorded."""

    staff_id: uuid.UUID
    reason: str


#: A staff override, as the override dialog gives it: (staff id, reason).
OverrideArg = Override | tuple[uuid.UUID, str] | None


def as_override(override: OverrideArg) -> Override | None:
    return Override(*override) if isinstance(override, tuple) else override


@dataclass(frozen=True)
class CheckinOutcome:
    admitted: bool
    reason: str
    method: CheckinMethod
    warning: str | None = None
    member_id: uuid.UUID | None = None
    member_name: str | None = None
    membership_id: uuid.UUID | None = None
    #: The local check-in row; None when nothing was recorded (unknown card, refused pass).
    checkin_id: uuid.UUID | None = None
    override: Override | None = None
    #: The same member within the debounce window: the earlier outcome, not recorded again.
    repeated: bool = False
    #: Already admitted here within the re-entry window: recorded, with nothing taken.
    reentry: bool = False
    #: For the desk only (e.g. how old the payer benefit decided on is).
    staff_note: str | None = None

    @property
    def recorded(self) -> bool:
        return self.checkin_id is not None


@dataclass(frozen=True)
class MemberHit:
    """A search or lookup result, with a one-line summary of the member's memberships."""

    member_id: uuid.UUID
    name: str
    phone: str | None
    email: str | None
    summary: str
    local: bool = False
    card_number: str | None = None


class BookedClassCheckin(Protocol):
    """Checks a member with a place in a class about to start (or running) into it, as a
    check-in at the door; None when they have no such booking."""

    def __call__(
        self,
        member_id: uuid.UUID,
        method: CheckinMethod,
        *,
        override: Override | None,
        pass_id: uuid.UUID | None,
    ) -> CheckinOutcome | None: ...


class CheckinError(Exception):
    """A check-in operation cannot run; the message says why in words."""


class InputError(CheckinError, ValueError):
    """What staff entered cannot be used; the message says what to fix."""
