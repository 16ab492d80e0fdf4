"""Deciding on a payer benefit from its last-known answer (integrated mode), the same way on
the server (when the eligibility service does not answer) and at the kiosk (offline), and
saying how old that answer is, for staff at the door."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class KnownBenefit:
    """The service's last answer for a member."""

    eligible: bool
    reason: str
    benefit_id: str | None
    valid_until: datetime
    checked_at: datetime


@dataclass(frozen=True)
class BenefitOutcome:
    admitted: bool
    #: For the member (and the record): why.
    reason: str
    #: For staff: how old the answer decided from is (None: there was none).
    warning: str | None = None


def age_text(age: timedelta) -> str:
    """``3 h ago``, ``12 min ago``, ``2 d ago``, ``just now``."""
    seconds = max(0, int(age.total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def checked_note(known: KnownBenefit, now: datetime) -> str:
    return f"ZPS benefit checked {age_text(now - known.checked_at)}"


def from_last_known(known: KnownBenefit | None, at: datetime, *, now: datetime) -> BenefitOutcome:
    """Admit on the last answer while it is valid at ``at``; refuse otherwise, saying why."""
    if known is None:
        return BenefitOutcome(False, "no ZPS benefit check is known")
    note = checked_note(known, now)
    if at >= known.valid_until:
        return BenefitOutcome(False, "the last ZPS benefit check has expired", note)
    if not known.eligible or not known.benefit_id:
        return BenefitOutcome(False, f"ZPS: {known.reason}", note)
    return BenefitOutcome(True, f"ZPS benefit {known.benefit_id}: {known.reason}", note)
