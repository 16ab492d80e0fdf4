"""The screening gate for journeys: enrolment is refused where booking would only warn.

A journey is weeks of prescribed movement, so a journey whose contra-indications meet one of
the member's active risk flags is never joined (staff pick another), and an unresolved
screening limits the member to low-intensity journeys until a clearance is recorded
(``shared.carepath.matching.allowed``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.screening.state import screening_state, today_in
from shared.carepath.matching import Candidate, allowed


class ScreeningEnrolmentGate:
    """The journeys' ``EnrolmentGate``, from the member's screening state today."""

    def __init__(self, sealer: FieldSealer) -> None:
        self.sealer = sealer

    def health(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID
    ) -> tuple[frozenset[str], bool]:
        today = today_in(uow, tenant_id)
        state = screening_state(uow, self.sealer, tenant_id, [member_id], today)[member_id]
        return state.flags, state.awaiting_clearance

    def check(
        self,
        uow: UnitOfWork,
        tenant_id: uuid.UUID,
        member_id: uuid.UUID,
        *,
        intensity_ceiling: str,
        contraindications: Sequence[str],
    ) -> tuple[bool, str]:
        flags, awaiting = self.health(uow, tenant_id, member_id)
        journey = Candidate(
            template_id=uuid.UUID(int=0),
            name="",
            intensity_ceiling=intensity_ceiling,
            contraindications=tuple(contraindications),
        )
        return allowed(journey, flags, awaiting)
