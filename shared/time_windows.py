"""Off-peak plans: the weekly time windows a plan admits in, in the location's wall-clock
time. Shared by the server and the kiosk, so both refuse alike."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from shared.inputs import InputModel
from shared.opening_hours import WEEKDAYS

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_SHORT = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri"}
_SHORT |= {"sat": "Sat", "sun": "Sun"}
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
_NAMED_DAYS = {
    frozenset(WEEKDAYS): "every day",
    frozenset(WEEKDAYS[:5]): "weekdays",
    frozenset(WEEKDAYS[5:]): "weekends",
}


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


class TimeWindow(InputModel):
    """On each of ``days``, from ``starts`` until (not including) ``ends``, local time."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: tuple[Weekday, ...] = Field(min_length=1, max_length=7, examples=[["mon", "fri"]])
    starts: str = Field(examples=["10:00"])
    ends: str = Field(examples=["16:00"], description='"24:00" means until midnight')

    @field_validator("starts", "ends")
    @classmethod
    def _check_hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError(f"{value!r} is not a time of day in HH:MM (00:00 to 24:00)")
        return value

    @field_validator("days")
    @classmethod
    def _unique_in_order(cls, value: tuple[Weekday, ...]) -> tuple[Weekday, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a day is listed twice")
        return tuple(sorted(value, key=WEEKDAYS.index))

    @model_validator(mode="after")
    def _check_order(self) -> TimeWindow:
        if _minutes(self.ends) <= _minutes(self.starts):
            raise ValueError(f"the window must end after it starts ({self.starts}–{self.ends})")
        return self

    def contains(self, local: datetime) -> bool:
        minute = local.hour * 60 + local.minute
        day = WEEKDAYS[local.weekday()]
        return day in self.days and _minutes(self.starts) <= minute < _minutes(self.ends)

    def describe(self) -> str:
        """ "10:00–16:00 on weekdays", "06:00–09:00 on Mon, Wed"."""
        days = _NAMED_DAYS.get(frozenset(self.days)) or ", ".join(_SHORT[d] for d in self.days)
        return f"{self.starts}–{self.ends} on {days}"


def within(windows: Sequence[TimeWindow], local: datetime) -> bool:
    """Whether ``local`` (wall-clock time at the location) falls in a window; no windows
    means no limit."""
    return not windows or any(w.contains(local) for w in windows)


def describe(windows: Sequence[TimeWindow]) -> str:
    return "; ".join(w.describe() for w in windows)


def refusal(windows: Sequence[TimeWindow], local: datetime) -> str | None:
    """Why an off-peak plan does not admit at ``local`` (None: it does)."""
    if within(windows, local):
        return None
    return f"Off-peak plan: valid {describe(windows)}"
