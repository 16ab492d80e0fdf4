"""The booking gate: may a member with this screening state take part in this activity?

Booking (every path), and enrolling in a journey, ask :func:`check`. An unresolved screening
limits a member to low or light intensity until staff record a clearance; a risk flag the
activity is contra-indicated for only warns (staff and member decide).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from server.screening.rules import ScreeningState
from shared.carepath.vocabulary import RISK_FLAG_LABELS, RiskFlag, conflicts, intensity_rank

BLOCKED = "Your health questionnaire needs a staff clearance before moderate or harder classes"


@dataclass(frozen=True)
class GateVerdict:
    blocked: bool
    reason: str = ""
    warnings: tuple[str, ...] = ()


ALLOWED = GateVerdict(blocked=False)


def _above_low(intensity: str | None) -> bool:
    """An activity whose intensity is not known counts as above low: the gate errs safe."""
    if intensity is None:
        return True
    try:
        return intensity_rank(intensity) > 0
    except ValueError:
        return True


def check(
    state: ScreeningState | None, *, intensity: str | None, contraindications: Iterable[str]
) -> GateVerdict:
    """Blocked while awaiting clearance for anything above low intensity; otherwise allowed,
    with one warning per risk flag the activity is contra-indicated for."""
    if state is None:
        return ALLOWED
    if state.awaiting_clearance and _above_low(intensity):
        return GateVerdict(blocked=True, reason=BLOCKED)
    clashing = conflicts(contraindications, state.flags)
    if not clashing:
        return ALLOWED
    labels = sorted(
        RISK_FLAG_LABELS[RiskFlag(f)] for f in clashing if f in RiskFlag.__members__.values()
    )
    return GateVerdict(
        blocked=False,
        warnings=tuple(f"Not advised with {label.lower()}: check with a coach" for label in labels),
    )
