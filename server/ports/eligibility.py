"""EligibilityService: may this member come in, or book? Standalone: local memberships;
integrated: ZPS.

Every decision goes through this port, at the door, when booking and when a kiosk's offline
check-ins arrive. A caller applying many at once (a push of check-ins, a batch of bookings)
opens a batch: the adapter reads once what all of them need, decides each as the caller
applies them, and is told what the caller recorded (admissions, credits taken) so that later
decisions of the batch see it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from server.db.uow import UnitOfWork
from shared.eligibility import MembershipTerms


class Purpose(StrEnum):
    #: Coming in at ``at``: visit limits count.
    DOOR = "door"
    #: A place in a class starting at ``at``: visit limits are counted at the door, not here.
    BOOKING = "booking"


@dataclass(frozen=True)
class KnownMember:
    """What the caller has already read of the member, in its transaction: their home location
    and every membership with its plan. A local adapter decides from it instead of reading
    the same rows again; a remote adapter ignores it."""

    home_location_id: uuid.UUID | None
    memberships: tuple[MembershipTerms, ...]


@dataclass(frozen=True)
class EligibilityRequest:
    tenant_id: uuid.UUID
    member_id: uuid.UUID
    location_id: uuid.UUID
    #: When the member came to the door, or when the class starts (aware).
    at: datetime
    #: Into a class the member holds a booking for: its class-pack credit is already taken.
    credit_prepaid: bool = False
    purpose: Purpose = Purpose.DOOR
    known: KnownMember | None = None


@dataclass(frozen=True)
class EligibilityDecision:
    admitted: bool
    reason: str
    membership_id: uuid.UUID | None = None
    #: Admitted, but something staff should say (e.g. "8 of 8 visits this month").
    warning: str | None = None
    #: The caller must take one class-pack credit of ``membership_id`` in its transaction.
    #: A remote service that keeps its own credits answers False.
    consumes_credit: bool = False


class EligibilityBatch(Protocol):
    """Decisions of one batch, from what :meth:`EligibilityService.open_batch` read."""

    def decide(self, request: EligibilityRequest) -> EligibilityDecision:
        """Decide one of the batch's requests (or another of its tenant and location)."""
        ...

    def admitted(self, membership_id: uuid.UUID, at: datetime) -> None:
        """The caller recorded an admission on ``membership_id`` at ``at``: later decisions
        of the batch count it against visit limits."""
        ...

    def credit_used(self, membership_id: uuid.UUID, *, taken: bool) -> None:
        """The caller took a class-pack credit of ``membership_id``, or found none left
        (``taken`` False): later decisions of the batch see the credits that remain."""
        ...


class EligibilityService(Protocol):
    #: True when :meth:`decide` may wait on another service over the network. A caller that
    #: decides in a write transaction first calls :meth:`prefetch` outside it, so that no
    #: lock is held while that service answers.
    remote: bool

    def prefetch(self, requests: Sequence[EligibilityRequest], *, uow: UnitOfWork) -> None:
        """Ask ahead, in a read-only unit of work the caller closes before deciding: a remote
        adapter asks its service now about ``requests`` (in one call where it can), and
        ``decide`` or a batch's decisions use those answers (each once, and only for the
        same member, location, purpose and time). A local adapter does nothing."""
        ...

    def decide(self, request: EligibilityRequest, *, uow: UnitOfWork) -> EligibilityDecision:
        """Decide inside the caller's open unit of work.

        A local adapter reads memberships through ``uow`` so that the decision and the
        check-in it leads to are one transaction; a remote adapter ignores it.
        """
        ...

    def open_batch(
        self, requests: Sequence[EligibilityRequest], *, uow: UnitOfWork
    ) -> EligibilityBatch:
        """Prepare to decide ``requests`` (one tenant and location) in the caller's open unit
        of work: a local adapter reads their memberships and visits once; a remote adapter
        may ask for all of them in one call."""
        ...
