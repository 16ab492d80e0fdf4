"""The shared words of movement prescription: risk flags, goals and intensity.

Profiles, journeys, session types and Tiles name the risks they suit (indications) and the
risks they must avoid (contra-indications) with the same keys as a member's risk flags, so a
match is a set intersection and never a guess over free text.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from shared.enums import Intensity
from shared.movement import MovementIntensity


class RiskFlag(StrEnum):
    """A health risk staff record for a member (or the integration port reports)."""

    HIGH_BLOOD_PRESSURE = "high_blood_pressure"
    PRE_DIABETES = "pre_diabetes"
    TYPE_2_DIABETES = "type_2_diabetes"
    CARDIOVASCULAR = "cardiovascular"
    OVERWEIGHT = "overweight"
    LOW_BACK_PAIN = "low_back_pain"
    JOINT_PAIN = "joint_pain"
    RECENT_INJURY = "recent_injury"
    OSTEOPOROSIS = "osteoporosis"
    FALLS_RISK = "falls_risk"
    RESPIRATORY = "respiratory"
    PREGNANCY = "pregnancy"
    STRESS = "stress"
    POOR_SLEEP = "poor_sleep"
    SEDENTARY = "sedentary"


#: What each flag is called on a page.
RISK_FLAG_LABELS: dict[RiskFlag, str] = {
    RiskFlag.HIGH_BLOOD_PRESSURE: "High blood pressure",
    RiskFlag.PRE_DIABETES: "Pre-diabetes",
    RiskFlag.TYPE_2_DIABETES: "Type 2 diabetes",
    RiskFlag.CARDIOVASCULAR: "Heart or circulation condition",
    RiskFlag.OVERWEIGHT: "Overweight",
    RiskFlag.LOW_BACK_PAIN: "Low back pain",
    RiskFlag.JOINT_PAIN: "Joint pain",
    RiskFlag.RECENT_INJURY: "Recent injury",
    RiskFlag.OSTEOPOROSIS: "Osteoporosis",
    RiskFlag.FALLS_RISK: "Risk of falls",
    RiskFlag.RESPIRATORY: "Breathing condition",
    RiskFlag.PREGNANCY: "Pregnancy",
    RiskFlag.STRESS: "Stress",
    RiskFlag.POOR_SLEEP: "Poor sleep",
    RiskFlag.SEDENTARY: "Mostly sitting",
}


class RiskCategory(StrEnum):
    """A coach's triage of a member, from their flags and screening."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


#: Flags that alone make a member's category high: they need the most care in a programme.
_HIGH = frozenset(
    {
        RiskFlag.CARDIOVASCULAR,
        RiskFlag.TYPE_2_DIABETES,
        RiskFlag.RECENT_INJURY,
        RiskFlag.PREGNANCY,
        RiskFlag.OSTEOPOROSIS,
    }
)


def risk_category(flags: Iterable[str], *, awaiting_clearance: bool = False) -> RiskCategory:
    """High with any high flag or an unresolved screening answer; moderate with any other
    flag; low otherwise."""
    known = {RiskFlag(f) for f in flags if f in RiskFlag.__members__.values()}
    if awaiting_clearance or known & _HIGH:
        return RiskCategory.HIGH
    return RiskCategory.MODERATE if known else RiskCategory.LOW


class Goal(StrEnum):
    """What a profile or journey is for, beside the risks it suits."""

    GENERAL_FITNESS = "general_fitness"
    WEIGHT = "weight"
    STRENGTH = "strength"
    MOBILITY = "mobility"
    BALANCE = "balance"
    STRESS_RELIEF = "stress_relief"
    SLEEP = "sleep"
    ENDURANCE = "endurance"


#: Session types rate intensity on four steps, the ledger and Tiles on the WHO's three.
_ORDER: dict[str, int] = {
    Intensity.LOW: 0,
    MovementIntensity.LIGHT: 0,
    Intensity.MODERATE: 1,
    Intensity.HIGH: 2,
    Intensity.VIGOROUS: 3,
}


def intensity_rank(intensity: str) -> int:
    """0 for low or light, up to 3 for vigorous; ValueError for anything else."""
    try:
        return _ORDER[intensity]
    except KeyError:
        raise ValueError(f"unknown intensity {intensity!r}") from None


def exceeds(intensity: str, ceiling: str) -> bool:
    """Whether ``intensity`` is above ``ceiling`` (either scale)."""
    return intensity_rank(intensity) > intensity_rank(ceiling)


def conflicts(contraindications: Iterable[str], flags: Iterable[str]) -> frozenset[str]:
    """The member's flags a profile, journey, session type or Tile must avoid."""
    return frozenset(contraindications) & frozenset(flags)
