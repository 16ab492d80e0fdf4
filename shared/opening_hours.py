"""A location's weekly opening hours in its own wall-clock time."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, time

from pydantic import ConfigDict, Field, field_validator, model_validator

from shared.inputs import InputModel

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


class OpeningInterval(InputModel):
    """One opening interval on one day: ``opens`` before ``closes``, both "HH:MM" local time."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    opens: str = Field(examples=["06:00"])
    closes: str = Field(examples=["22:00"], description='"24:00" means open until midnight')

    @field_validator("opens", "closes")
    @classmethod
    def _check_hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError(f"{value!r} is not a time of day in HH:MM (00:00 to 24:00)")
        return value

    @model_validator(mode="after")
    def _check_order(self) -> OpeningInterval:
        if _minutes(self.closes) <= _minutes(self.opens):
            raise ValueError(f"closing time {self.closes} must be after opening time {self.opens}")
        if self.opens == "24:00":
            raise ValueError("a location cannot open at 24:00")
        return self

    def contains(self, moment: time) -> bool:
        minute = moment.hour * 60 + moment.minute
        return _minutes(self.opens) <= minute < _minutes(self.closes)


class OpeningHours(InputModel):
    """Opening intervals per weekday; a missing or empty day means closed that day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mon: list[OpeningInterval] = Field(default_factory=list)
    tue: list[OpeningInterval] = Field(default_factory=list)
    wed: list[OpeningInterval] = Field(default_factory=list)
    thu: list[OpeningInterval] = Field(default_factory=list)
    fri: list[OpeningInterval] = Field(default_factory=list)
    sat: list[OpeningInterval] = Field(default_factory=list)
    sun: list[OpeningInterval] = Field(default_factory=list)

    @model_validator(mode="after")
    def _no_overlaps(self) -> OpeningHours:
        for day in WEEKDAYS:
            intervals = sorted(self.day(day), key=lambda i: _minutes(i.opens))
            for before, after in itertools.pairwise(intervals):
                if _minutes(after.opens) < _minutes(before.closes):
                    raise ValueError(f"opening intervals on {WEEKDAY_NAMES[day]} overlap")
        return self

    def day(self, weekday: str) -> list[OpeningInterval]:
        intervals: list[OpeningInterval] = getattr(self, weekday)
        return intervals

    def for_date(self, local: datetime) -> list[OpeningInterval]:
        return self.day(WEEKDAYS[local.weekday()])

    def is_open(self, local: datetime) -> bool:
        """Whether the location is open at ``local`` (a datetime in the location's zone)."""
        return any(i.contains(local.time()) for i in self.for_date(local))

    def describe_day(self, weekday: str) -> str:
        intervals = self.day(weekday)
        if not intervals:
            return "Closed"
        return ", ".join(f"{i.opens}–{i.closes}" for i in intervals)

    def describe_week(self) -> list[tuple[str, str]]:
        """(day name, hours) for Monday to Sunday, for display."""
        return [(WEEKDAY_NAMES[d], self.describe_day(d)) for d in WEEKDAYS]
