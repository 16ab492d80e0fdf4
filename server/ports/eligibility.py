"""EligibilityService: may this member come in? Standalone: local memberships; integrated: ZPS."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from server.db.uow import UnitOfWork


@dataclass(frozen=True)
class EligibilityRequest:
    tenant_id: uuid.UUID
    member_id: uuid.UUID
    location_id: uuid.UUID
    #: When the member came to the door (aware).
    at: datetime
    #: Into a class the member holds a booking for: its class-pack credit is already taken.
    credit_prepaid: bool = False


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


class EligibilityService(Protocol):
    def decide(self, request: EligibilityRequest, *, uow: UnitOfWork) -> EligibilityDecision:
        """Decide inside the caller's open unit of work.

        A local adapter reads memberships through ``uow`` so that the decision and the
        check-in it leads to are one transaction; a remote adapter ignores it.
        """
        ...
