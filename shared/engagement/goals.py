"""Personal weekly goals (sessions or moderate-equivalent minutes), their progress, and the
adaptive suggestion: after 3 weeks in a row met, aim about 10 % higher; after 3 in a row
missed, about 10 % lower, never below the floor.

Rounding keeps goals readable: sessions move by at least one; minutes by at least 5 and
land on a multiple of 5.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from shared.engagement.dose import DayDose

#: How many weeks in a row, all met or all missed, before a change is suggested.
RUN = 3
STEP = 0.10


class GoalKind(StrEnum):
    SESSIONS = "sessions"
    MINUTES = "minutes"


@dataclass(frozen=True, slots=True)
class WeeklyGoal:
    kind: GoalKind
    target: int
    #: The lowest target a suggestion may propose.
    floor: int = 1

    def __post_init__(self) -> None:
        if self.floor < 1 or self.target < self.floor:
            raise ValueError("a goal needs 1 ≤ floor ≤ target")

    @property
    def unit(self) -> str:
        return "sessions" if self.kind == GoalKind.SESSIONS else "minutes"


@dataclass(frozen=True, slots=True)
class GoalProgress:
    done: int
    target: int

    @property
    def met(self) -> bool:
        return self.done >= self.target

    @property
    def ratio(self) -> float:
        """Share done, capped at 1 (the bar is full once the goal is met)."""
        return min(1.0, self.done / self.target)

    @property
    def remaining(self) -> int:
        return max(0, self.target - self.done)


def progress(goal: WeeklyGoal, week: Sequence[DayDose]) -> GoalProgress:
    """Progress over one week's doses: sessions, or moderate-equivalent minutes."""
    if goal.kind == GoalKind.SESSIONS:
        done = sum(d.sessions for d in week)
    else:
        done = sum(d.weighted_minutes for d in week)
    return GoalProgress(done, goal.target)


@dataclass(frozen=True, slots=True)
class Suggestion:
    target: int
    reason: str


def _step() -> Fraction:
    # Exact: 100 × 1.1 in floating point is 110.00000000000001, which rounds up to 115.
    return Fraction(STEP).limit_denominator(1000)


def _raised(goal: WeeklyGoal) -> int:
    if goal.kind == GoalKind.SESSIONS:
        return max(goal.target + 1, round(goal.target * (1 + STEP)))
    return max(goal.target + 5, 5 * math.ceil(goal.target * (1 + _step()) / 5))


def _lowered(goal: WeeklyGoal) -> int:
    if goal.kind == GoalKind.SESSIONS:
        lowered = min(goal.target - 1, round(goal.target * (1 - STEP)))
    else:
        lowered = min(goal.target - 5, 5 * math.floor(goal.target * (1 - _step()) / 5))
    return max(goal.floor, lowered)


def suggest(goal: WeeklyGoal, met_weeks: Sequence[bool]) -> Suggestion | None:
    """A new target from the last weeks' outcomes (oldest first, the latest finished week
    last), or None: no run of 3, or already at the floor when lowering."""
    recent = list(met_weeks[-RUN:])
    if len(recent) < RUN or len(set(recent)) != 1:
        return None
    unit = goal.unit
    if recent[0]:
        target = _raised(goal)
        return Suggestion(
            target,
            f"You met {goal.target} {unit} a week for {RUN} weeks in a row: "
            f"try {target} (about 10 % more).",
        )
    target = _lowered(goal)
    if target >= goal.target:
        return None
    return Suggestion(
        target,
        f"{goal.target} {unit} a week was out of reach for {RUN} weeks in a row: "
        f"try {target} for now (about 10 % less, never below {goal.floor}).",
    )
