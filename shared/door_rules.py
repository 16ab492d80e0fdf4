"""Door rules beyond eligibility, shared by the server and the kiosk: a member already in
(re-entry) and when a class can be checked into.

Pure functions over plain values; the tenant's settings come in a :class:`DoorPolicy`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

#: A member admitted this recently at the same location is still in: no second credit/visit.
DEFAULT_REENTRY_MINUTES = 180
#: A class can be checked into from this long before its start until its end.
DEFAULT_CLASS_CHECKIN_OPENS_MINUTES = 60
#: The most either setting may be (a day): longer would merge separate visits.
MAX_WINDOW_MINUTES = 1440


@dataclass(frozen=True)
class DoorPolicy:
    #: 0 turns the re-entry rule off: every admission is a visit.
    reentry_window_minutes: int = DEFAULT_REENTRY_MINUTES
    class_checkin_opens_minutes: int = DEFAULT_CLASS_CHECKIN_OPENS_MINUTES

    @property
    def reentry_window(self) -> timedelta:
        return timedelta(minutes=self.reentry_window_minutes)

    @property
    def class_checkin_opens(self) -> timedelta:
        return timedelta(minutes=self.class_checkin_opens_minutes)


@dataclass(frozen=True)
class Admission:
    """An admission that counted as a visit (not itself a re-entry)."""

    id: uuid.UUID
    occurred_at: datetime


def reentry_of(
    admissions: Iterable[Admission], at: datetime, window: timedelta
) -> Admission | None:
    """The visit a check-in at ``at`` belongs to: the latest admission at the same location
    at most ``window`` before it (exactly ``window`` later is a new visit), or None.

    Only admissions up to ``at`` count: one recorded later (an offline kiosk's, arriving
    afterwards) does not make an earlier check-in a re-entry.
    """
    if window <= timedelta(0):
        return None
    found: Admission | None = None
    for one in admissions:
        if at - window < one.occurred_at <= at and (
            found is None or one.occurred_at > found.occurred_at
        ):
            found = one
    return found


def reentry_reason(admission: Admission, tz: ZoneInfo) -> str:
    """'already checked in at 19:54', in the location's local time."""
    return f"already checked in at {admission.occurred_at.astimezone(tz):%H:%M}"


def class_checkin_opens_at(starts_at: datetime, policy: DoorPolicy) -> datetime:
    return starts_at - policy.class_checkin_opens


def class_checkin_open(
    starts_at: datetime, ends_at: datetime, at: datetime, policy: DoorPolicy
) -> bool:
    """May a member be checked into a class at ``at``: from the window before its start
    until (not including) its end."""
    return class_checkin_opens_at(starts_at, policy) <= at < ends_at


def class_checkin_refusal(
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    at: datetime,
    policy: DoorPolicy,
    tz: ZoneInfo,
) -> str | None:
    """Why a member cannot be checked into the class at ``at`` (None: they can)."""
    if class_checkin_open(starts_at, ends_at, at, policy):
        return None
    if at >= ends_at:
        return f"{name} is over"
    opens = class_checkin_opens_at(starts_at, policy).astimezone(tz)
    day = "" if opens.date() == at.astimezone(tz).date() else f" on {opens:%A} {opens.day}"
    return f"Check-in for {name} opens at {opens:%H:%M}{day}"
