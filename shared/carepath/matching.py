"""Which journeys suit a member: never one their flags contra-indicate, only low-intensity
ones while a screening answer awaits clearance, and the closest matches first, each with
its reasons in words a member or coach reads."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shared.carepath.vocabulary import RISK_FLAG_LABELS, Goal, RiskFlag, intensity_rank

_FLAGS = frozenset(f.value for f in RiskFlag)


@dataclass(frozen=True)
class Candidate:
    """A journey template as matching reads it (its current version's labels)."""

    template_id: uuid.UUID
    name: str
    intensity_ceiling: str
    indications: tuple[str, ...] = ()
    contraindications: tuple[str, ...] = ()

    @property
    def general(self) -> bool:
        """Suits anyone: it names no risk it is for, or it is for general fitness."""
        return Goal.GENERAL_FITNESS.value in self.indications or not (
            _FLAGS & set(self.indications)
        )


@dataclass(frozen=True)
class Recommendation:
    template_id: uuid.UUID
    reasons: tuple[str, ...]


def label(key: str) -> str:
    """A flag's or goal's name in running text ("pre-diabetes", "stress relief")."""
    if key in _FLAGS:
        return RISK_FLAG_LABELS[RiskFlag(key)].lower()
    return key.replace("_", " ")


def _ordered(keys: Iterable[str], order: Sequence[str]) -> list[str]:
    """In the template's own order, so reasons read the same on every page."""
    wanted = set(keys)
    return [k for k in order if k in wanted]


def allowed(
    template: Candidate, flags: Iterable[str], awaiting_clearance: bool
) -> tuple[bool, str]:
    """Whether the member may be on the journey, and why not."""
    flagged = set(flags)
    against = _ordered(flagged, template.contraindications)
    if against:
        return False, "Not for members with " + ", ".join(label(k) for k in against)
    if awaiting_clearance and intensity_rank(template.intensity_ceiling) > 0:
        return False, "Only low-intensity journeys until staff record a screening clearance"
    return True, ""


def recommend(
    templates: Iterable[Candidate], flags: Iterable[str], awaiting_clearance: bool
) -> list[Recommendation]:
    """Allowed templates indicating the most of the member's flags and goals first (ties by
    name), then the general ones; a member with no flags gets the general ones only."""
    wanted = set(flags)
    matched: list[tuple[int, str, Recommendation]] = []
    general: list[tuple[str, Recommendation]] = []
    for t in templates:
        ok, _ = allowed(t, wanted, awaiting_clearance)
        if not ok:
            continue
        extra = (
            ("Low intensity while screening clearance is pending",) if awaiting_clearance else ()
        )
        suits = _ordered(wanted, t.indications)
        if suits:
            reasons = ("Suits: " + ", ".join(label(k) for k in suits), *extra)
            matched.append((-len(suits), t.name, Recommendation(t.template_id, reasons)))
        elif t.general:
            general.append((t.name, Recommendation(t.template_id, ("For anyone", *extra))))
    matched.sort(key=lambda row: (row[0], row[1], str(row[2].template_id)))
    general.sort(key=lambda row: (row[0], str(row[1].template_id)))
    return [r for *_, r in matched] + [r for _, r in general]
