"""Members' risk categories for the coach's list, from their screening and active flags."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping

from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.screening.state import screening_state, today_in


class ScreeningRiskCategories:
    """The ``RiskReader`` of the coach's list: high with a high-risk flag or a screening
    awaiting clearance, moderate with any other flag, low when screened and nothing is
    flagged; members never screened and never flagged are left out (nothing known)."""

    def __init__(self, sealer: FieldSealer) -> None:
        self.sealer = sealer

    def categories(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, member_ids: Collection[uuid.UUID]
    ) -> Mapping[uuid.UUID, str]:
        states = screening_state(
            uow, self.sealer, tenant_id, list(member_ids), today_in(uow, tenant_id)
        )
        return {
            member_id: state.risk_category.value
            for member_id, state in states.items()
            if state.outcome is not None or state.flags
        }
