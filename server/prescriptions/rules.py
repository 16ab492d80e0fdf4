"""Pure rules of movement prescription profiles: which keys a profile may name, how its
dose hangs together, and what a session type or Tile that follows it takes from it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from shared.carepath.vocabulary import Goal, RiskFlag, exceeds
from shared.enums import Intensity
from shared.movement import MovementIntensity

FLAG_KEYS = frozenset(flag.value for flag in RiskFlag)
GOAL_KEYS = frozenset(goal.value for goal in Goal)

#: A session type asks at most this often a week (its own bound, 1..14).
MAX_PER_WEEK = 14


def unknown_indications(keys: Iterable[str]) -> list[str]:
    """Indications are risk flags or goals; anything else is a typo to refuse."""
    return [key for key in keys if key not in FLAG_KEYS and key not in GOAL_KEYS]


def unknown_contraindications(keys: Iterable[str]) -> list[str]:
    """Contra-indications are risk flags only: a goal is never a reason to stay away."""
    return [key for key in keys if key not in FLAG_KEYS]


def dose_problem(
    *,
    intensity: str,
    intensity_ceiling: str,
    frequency_min: int,
    frequency_max: int,
    minutes_per_session: int,
    minutes_per_week: int,
) -> str | None:
    """Why a FITT dose contradicts itself, or None."""
    if frequency_min > frequency_max:
        return (
            f"frequency: at least {frequency_min} a week cannot be more than "
            f"at most {frequency_max}"
        )
    if exceeds(intensity, intensity_ceiling):
        return f"intensity {intensity} is above the profile's ceiling {intensity_ceiling}"
    if minutes_per_session > minutes_per_week:
        return (
            f"{minutes_per_session} minutes a session is more than "
            f"{minutes_per_week} minutes a week"
        )
    return None


def primary_goal(indications: Sequence[str]) -> str | None:
    """The first goal a profile names: what a session type following it is mainly for."""
    return next((key for key in indications if key in GOAL_KEYS), None)


#: Tiles rate intensity on the WHO's three steps; a profile on the four of session types.
#: "high" becomes vigorous, never moderate: a Tile must not look gentler than its profile.
_TILE_SCALE: dict[str, MovementIntensity] = {
    Intensity.LOW: MovementIntensity.LIGHT,
    Intensity.MODERATE: MovementIntensity.MODERATE,
    Intensity.HIGH: MovementIntensity.VIGOROUS,
    Intensity.VIGOROUS: MovementIntensity.VIGOROUS,
}


def tile_intensity(intensity: str) -> MovementIntensity:
    return _TILE_SCALE[intensity]


def suggested_per_week(frequency_min: int) -> int:
    """A session type suggests the profile's lower frequency (the dose to reach first,
    as ACSM advises for people not yet active), within its own 1..14."""
    return max(1, min(frequency_min, MAX_PER_WEEK))


def next_version(current: int, *, changed: bool) -> int:
    """An edit that changes what a profile prescribes is the next version; one that
    changes nothing keeps the current one (saving a form twice makes no empty history)."""
    return current + 1 if changed else current
