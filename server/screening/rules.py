"""A member's screening state as the gate and the pages read it, and how values are sealed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from shared.carepath.screening import Outcome
from shared.carepath.vocabulary import RiskCategory, risk_category


@dataclass(frozen=True)
class ScreeningState:
    """What booking, journeys and the coach console need to know of one member."""

    member_id: uuid.UUID
    #: The latest screening's outcome; None when the member was never screened.
    outcome: Outcome | None = None
    screening_id: uuid.UUID | None = None
    completed_at: datetime | None = None
    #: The latest outcome needs a clearance and no clearance of it holds today.
    awaiting_clearance: bool = False
    #: The last day the clearance that holds today holds (None: none holds).
    cleared_until: date | None = None
    #: Keys of the member's active risk flags (shared.carepath.vocabulary.RiskFlag).
    flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def risk_category(self) -> RiskCategory:
        return risk_category(self.flags, awaiting_clearance=self.awaiting_clearance)


def unscreened(member_id: uuid.UUID) -> ScreeningState:
    return ScreeningState(member_id=member_id)


def context(table: str, column: str, tenant_id: uuid.UUID, row_id: uuid.UUID) -> str:
    """What a sealed value is bound to: moved to another row, column or tenant it no longer
    opens."""
    return f"{table}.{column}:{tenant_id}:{row_id}"
