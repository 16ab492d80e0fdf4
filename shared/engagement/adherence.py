"""The Movement Adherence Score: how steadily a member meets their weekly dose, from 0 to 1.

An exponential moving average of the weekly dose, in the manner of the Loop Habit Tracker::

    dose_w  = min(1, (moderate_w + 2 × vigorous_w) / target)      target: 150 by default
    m       = 0.5 ** (sqrt(f) / 13)                              f: prescribed sessions a week
    score_w = score_{w-1} × m + dose_w × (1 − m)                  score before the first week: 0

One step per calendar week (a week without movement is a step with dose 0), so the score
halves in ``13 / sqrt(f)`` idle weeks: about 7.5 weeks for f = 3. A higher prescribed
frequency makes the score react faster. The score of the week in progress is computed as if
the week ended now, so it rises with every movement and never falls within a week.

Late movements: a movement for the week before the latest one seen still counts (an upload
on Monday for Sunday's run); one for any earlier week is kept in the ledger but no longer
changes the score. ``rebuild`` replays movements in the order they were recorded, so it
reaches exactly the state that applying them one by one did.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from shared.engagement.dose import (
    WHO_WEEKLY_MINUTES,
    DayDose,
    Movement,
    week_start,
    weekly_dose_ratio,
)
from shared.evolve import evolve


def multiplier(frequency: float) -> float:
    """``0.5 ** (sqrt(f) / 13)``: the weight the previous score keeps each week."""
    if frequency <= 0:
        raise ValueError("the prescribed frequency must be positive")
    return float(0.5 ** (math.sqrt(frequency) / 13))


@dataclass(frozen=True, slots=True)
class AdherenceState:
    """The score's state: the score settled before the previous week, and the moderate-
    equivalent minutes of the previous and the latest week (both still open to movements)."""

    frequency: float = 3.0
    target: int = WHO_WEEKLY_MINUTES
    first_weekday: int = 0
    #: The latest week seen (its first date), None before any movement.
    week: date | None = None
    week_minutes: int = 0
    previous_minutes: int = 0
    #: The score after the week before the previous one.
    settled: float = 0.0

    def _step(self, score: float, minutes: int) -> float:
        m = multiplier(self.frequency)
        return score * m + weekly_dose_ratio(minutes, self.target) * (1 - m)

    @property
    def score(self) -> float:
        """The score with the latest week counted as if it ended now."""
        if self.week is None:
            return 0.0
        return self._step(self._step(self.settled, self.previous_minutes), self.week_minutes)

    def score_as_of(self, day: date) -> float:
        """The score in ``day``'s week, the weeks since the latest movement counting as 0."""
        if self.week is None:
            return 0.0
        idle = (week_start(day, self.first_weekday) - self.week).days // 7
        return self.score * multiplier(self.frequency) ** max(0, idle)

    def apply(self, event: DayDose | Movement) -> AdherenceState:
        """The state after one more movement (or day's dose); O(1) whatever the gap."""
        dose = event.dose() if isinstance(event, Movement) else event
        week = week_start(dose.local_date, self.first_weekday)
        minutes = dose.weighted_minutes
        if self.week is None:
            return evolve(self, week=week, week_minutes=minutes)
        weeks_on = (week - self.week).days // 7
        if weeks_on == 0:
            return evolve(self, week_minutes=self.week_minutes + minutes)
        if weeks_on == -1:
            return evolve(self, previous_minutes=self.previous_minutes + minutes)
        if weeks_on < -1:
            return self  # its week has closed: see the module's note on late movements
        settled = self._step(self.settled, self.previous_minutes)
        if weeks_on == 1:
            return evolve(
                self,
                week=week,
                week_minutes=minutes,
                previous_minutes=self.week_minutes,
                settled=settled,
            )
        # Weeks with no movement in between: the latest week settles, then each idle week
        # but the last multiplies by m; the last idle week becomes "previous" with 0 minutes.
        settled = self._step(settled, self.week_minutes) * multiplier(self.frequency) ** (
            weeks_on - 2
        )
        return evolve(self, week=week, week_minutes=minutes, previous_minutes=0, settled=settled)


def rebuild(
    doses: Iterable[DayDose | Movement], start: AdherenceState | None = None
) -> AdherenceState:
    """The state from the whole ledger, in recorded order: equal to applying one by one."""
    state = start if start is not None else AdherenceState()
    for dose in doses:
        state = state.apply(dose)
    return state
