"""How well a member keeps to a journey: a week's dose, the journey's adherence, and the
early-success habit point.

A week's counts are measured against that week's ``WeekTarget``:

- ``minutes``: moderate-equivalent minutes (a vigorous minute counts as two moderate ones,
  light activity counts nothing toward minutes), as ``shared.engagement.dose`` does;
- ``sessions``: counted activities other than Movement Tiles (classes, gym-floor visits,
  outdoor activities);
- ``strength_days``: distinct member-local dates with at least one strength activity;
- ``tiles``: Movement Tiles completed.

``dose`` = the mean, over the week's non-zero targets, of ``min(1, done / target)``; a week
that asks for nothing has a dose of 1. A week is *met* when its dose is exactly 1.

Journey adherence = the mean dose of the counted weeks: closed (ended) and not paused. The
cap in each week's dose means over-doing one week cannot make up a missed one.

The habit point (``HabitPoint``: N activities within the first W weeks) is reached on the
local date of the N-th counted activity, Tiles included, if that falls within the first
``W`` weeks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from shared.carepath.plans import HabitPoint, WeekTarget

#: A week spent paused on this many of its 7 days or more is left out of adherence.
PAUSED_DAYS_TO_EXCLUDE = 4


@dataclass(frozen=True)
class WeekCounts:
    """What a member did in one week of a journey (only activities the journey permits)."""

    minutes: int = 0  # moderate-equivalent
    sessions: int = 0
    strength_days: int = 0
    tiles: int = 0

    def __post_init__(self) -> None:
        if min(self.minutes, self.sessions, self.strength_days, self.tiles) < 0:
            raise ValueError("a week's counts cannot be negative")


def moderate_equivalent(minutes: int, intensity: str) -> int:
    """Minutes toward the dose: vigorous (or the session types' "high") twice, moderate
    once, light or low not at all."""
    if intensity in ("vigorous", "high"):
        return 2 * minutes
    if intensity == "moderate":
        return minutes
    return 0


def _ratios(counts: WeekCounts, target: WeekTarget) -> list[float]:
    pairs = (
        (counts.minutes, target.minutes),
        (counts.sessions, target.sessions),
        (counts.strength_days, target.strength_days),
        (counts.tiles, target.tiles),
    )
    return [min(1.0, done / asked) for done, asked in pairs if asked > 0]


def week_dose(counts: WeekCounts, target: WeekTarget) -> float:
    """Mean over the non-zero targets of ``min(1, done / target)``, in [0, 1]."""
    ratios = _ratios(counts, target)
    if not ratios:
        return 1.0
    return sum(ratios) / len(ratios)


def week_met(counts: WeekCounts, target: WeekTarget) -> bool:
    """Every non-zero target reached (compared on counts, free of rounding)."""
    return all(r >= 1.0 for r in _ratios(counts, target))


@dataclass(frozen=True)
class WeekResult:
    """One week as adherence reads it."""

    dose: float
    met: bool
    paused: bool = False
    closed: bool = True


def journey_adherence(weeks: Iterable[WeekResult]) -> float:
    """Mean dose of the closed, unpaused weeks (0 before any is counted), in [0, 1]."""
    doses = [min(1.0, max(0.0, w.dose)) for w in weeks if w.closed and not w.paused]
    if not doses:
        return 0.0
    return min(1.0, sum(doses) / len(doses))


def weeks_met(weeks: Iterable[WeekResult]) -> int:
    return sum(1 for w in weeks if w.closed and not w.paused and w.met)


def is_paused_week(paused_days: int) -> bool:
    """A week spent paused on most of its days is left out (neither met nor missed)."""
    return paused_days >= PAUSED_DAYS_TO_EXCLUDE


def habit_point_on(
    activities_by_day: Mapping[date, int], starts_on: date, habit: HabitPoint
) -> date | None:
    """The local date the ``habit.sessions``-th activity came on, if within the first
    ``habit.weeks`` weeks from ``starts_on``; None if not (yet) reached."""
    if habit.sessions <= 0 or habit.weeks <= 0:
        return None
    ends = starts_on + timedelta(days=7 * habit.weeks)
    total = 0
    for day in sorted(activities_by_day):
        if day < starts_on or day >= ends:
            continue
        total += max(0, activities_by_day[day])
        if total >= habit.sessions:
            return day
    return None
