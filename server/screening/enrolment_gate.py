"""The screening gate for journeys: enrolment is refused where booking would only warn.

A journey is weeks of prescribed movement, so a journey whose contra-indications meet one of
the member's active risk flags is never joined (staff pick another), and an unresolved
screening limits the member to low-intensity journeys until a clearance is recorded."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.screening import gate
from server.screening.state import screening_state, today_in
from shared.carepath.vocabulary import RISK_FLAG_LABELS, RiskFlag, conflicts

BLOCKED = "The health questionnaire needs a staff clearance before a journey above low intensity"


class ScreeningEnrolmentGate:
    """The journeys' ``EnrolmentGate``, from the member's screening state today."""

    def __init__(self, sealer: FieldSealer) -> None:
        self.sealer = sealer

    def check(
        self,
        uow: UnitOfWork,
        tenant_id: uuid.UUID,
        member_id: uuid.UUID,
        *,
        intensity_ceiling: str,
        contraindications: Sequence[str],
    ) -> tuple[bool, str]:
        today = today_in(uow, tenant_id)
        state = screening_state(uow, self.sealer, tenant_id, [member_id], today)[member_id]
        verdict = gate.check(state, intensity=intensity_ceiling, contraindications=())
        if verdict.blocked:
            return False, BLOCKED
        clashing = sorted(
            RISK_FLAG_LABELS[RiskFlag(f)].lower()
            for f in conflicts(contraindications, state.flags)
            if f in RiskFlag.__members__.values()
        )
        if clashing:
            return False, f"This journey is not advised with {', '.join(clashing)}"
        return True, ""
