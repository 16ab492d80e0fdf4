"""Movement as a dose: what a day's activity is worth toward the weekly target.

The World Health Organization's adult guideline is 150 minutes of moderate activity a
week, or 75 of vigorous; so a vigorous minute counts as two moderate ones and light
activity does not count toward the dose (it still counts as a session).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.enums import Intensity

#: The WHO weekly target, in moderate-equivalent minutes.
WHO_WEEKLY_MINUTES = 150
#: More than this in one day is not plausible; callers refuse it before it gets here.
MAX_MINUTES_A_DAY = 600


@dataclass(frozen=True, slots=True)
class Movement:
    """One movement event as the rules see it: its member-local date, minutes, intensity
    and provenance (scanner-verified, staff-recorded, self-reported, device-imported)."""

    local_date: date
    minutes: int
    intensity: Intensity
    provenance: str = "scanner_verified"

    def __post_init__(self) -> None:
        if not 0 <= self.minutes <= MAX_MINUTES_A_DAY:
            raise ValueError(f"minutes must be 0–{MAX_MINUTES_A_DAY}, not {self.minutes}")

    def dose(self) -> DayDose:
        moderate = self.minutes if self.intensity == Intensity.MODERATE else 0
        # "high" is the older name of vigorous in the enum; both count double.
        vigorous = self.minutes if self.intensity in (Intensity.VIGOROUS, Intensity.HIGH) else 0
        return DayDose(self.local_date, moderate, vigorous, sessions=1)


@dataclass(frozen=True, slots=True)
class DayDose:
    """The activity of one local date (possibly only part of it, for one event)."""

    local_date: date
    moderate_minutes: int = 0
    vigorous_minutes: int = 0
    sessions: int = 0

    def __post_init__(self) -> None:
        if min(self.moderate_minutes, self.vigorous_minutes, self.sessions) < 0:
            raise ValueError("minutes and sessions cannot be negative")

    @property
    def weighted_minutes(self) -> int:
        """Moderate-equivalent minutes: moderate + 2 × vigorous."""
        return self.moderate_minutes + 2 * self.vigorous_minutes

    def __add__(self, other: DayDose) -> DayDose:
        return DayDose(
            self.local_date,
            self.moderate_minutes + other.moderate_minutes,
            self.vigorous_minutes + other.vigorous_minutes,
            self.sessions + other.sessions,
        )


def week_start(day: date, first_weekday: int = 0) -> date:
    """The first date of ``day``'s week; weeks start on ``first_weekday`` (0 = Monday, as
    ISO weeks do; a tenant may start them on Sunday = 6). Calendar arithmetic only."""
    if not 0 <= first_weekday <= 6:
        raise ValueError("first_weekday is 0 (Monday) to 6 (Sunday)")
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def weekly_dose_ratio(weighted_minutes: int, target: int = WHO_WEEKLY_MINUTES) -> float:
    """``min(1, weighted minutes / target)``: the share of the week's dose target met."""
    if target <= 0:
        raise ValueError("the weekly target must be positive")
    return min(1.0, max(0, weighted_minutes) / target)
