"""EligibilityService: may this member come in? Standalone: local memberships; integrated: ZPS."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class EligibilityRequest:
    tenant_id: uuid.UUID
    member_id: uuid.UUID
    location_id: uuid.UUID
    at: datetime


@dataclass(frozen=True)
class EligibilityDecision:
    admitted: bool
    reason: str
    membership_id: uuid.UUID | None = None


class EligibilityService(Protocol):
    def decide(self, request: EligibilityRequest) -> EligibilityDecision: ...
