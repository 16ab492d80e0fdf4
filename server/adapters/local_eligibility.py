"""Standalone eligibility: decided from the tenant's own memberships.

Memberships and access plans arrive with the check-in issue; until a member holds one, the
honest answer for everybody is a refusal that says so.
"""

from __future__ import annotations

from server.ports.eligibility import EligibilityDecision, EligibilityRequest


class LocalEligibility:
    def decide(self, request: EligibilityRequest) -> EligibilityDecision:
        return EligibilityDecision(admitted=False, reason="no active membership")
