"""BenefitsService: a payer's benefits (integrated mode: ZHEP's ZPS), as the eligibility
adapter and the benefits jobs use them. Standalone deployments have none.

The contract is docs/zhep/zps.openapi.yaml; an adapter maps it to these types.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from server.ports.eligibility import Purpose


class BenefitsUnavailable(Exception):
    """No usable answer: a timeout, a 5xx, a body that is not the contract's, a refused key."""


@dataclass(frozen=True)
class BenefitCheck:
    party_id: str
    location_id: uuid.UUID
    purpose: Purpose
    at: datetime
    member_id: uuid.UUID | None = None


@dataclass(frozen=True)
class BenefitAnswer:
    party_id: str
    eligible: bool
    reason: str
    benefit_id: str | None
    #: Until when the answer may be relied on when the service cannot be asked.
    valid_until: datetime
    checked_at: datetime
    wallet_balance: str | None = None
    currency: str | None = None
    visits_left: int | None = None


@dataclass(frozen=True)
class UtilisationReport:
    #: The same for every retry of one report.
    key: uuid.UUID
    party_id: str
    benefit_id: str
    location_id: uuid.UUID
    purpose: Purpose
    at: datetime
    visit_ref: uuid.UUID | None = None


class BenefitsService(Protocol):
    def check(self, check: BenefitCheck) -> BenefitAnswer:
        """Raises :class:`BenefitsUnavailable`."""
        ...

    def check_many(self, checks: Sequence[BenefitCheck]) -> list[BenefitAnswer]:
        """One answer per check, in order. Raises :class:`BenefitsUnavailable`."""
        ...

    def report_utilisation(self, report: UtilisationReport) -> str:
        """The service's receipt once it has the report (a retry gets the first receipt).
        Raises :class:`BenefitsUnavailable` when it is not acknowledged."""
        ...
