"""The movement ledger's facts as the rules built on it read them, and the pure rules of
the ledger itself: a member's local date at a tenant's day-start hour, and what a
plausible event is."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.enums import Intensity

#: The most minutes of movement one member logs in one local day; more is a typo or a
#: device gone wrong, and is refused rather than counted.
MAX_MINUTES_PER_DAY = 600
#: A tenant's day may start as late as 06:00, so that a late-night session counts for the
#: day before (a studio closing at 01:00).
MAX_DAY_START_HOUR = 6
#: Minutes and intensity of a gym-floor check-in when the tenant says nothing else.
FLOOR_CHECKIN_MINUTES = 60


class MovementIntensity(StrEnum):
    """The dose categories of the WHO guidelines: vigorous minutes count twice."""

    LIGHT = "light"
    MODERATE = "moderate"
    VIGOROUS = "vigorous"


class Provenance(StrEnum):
    """How sure the ledger is that the movement happened, strongest first."""

    SCANNER_VERIFIED = "scanner_verified"
    STAFF_RECORDED = "staff_recorded"
    SELF_REPORTED = "self_reported"
    DEVICE_IMPORTED = "device_imported"


class MovementSource(StrEnum):
    """Where the event was entered."""

    KIOSK = "kiosk"
    DESK = "desk"
    APP = "app"
    COACH = "coach"
    IMPORT = "import"


def intensity_of_session_type(value: str | None) -> MovementIntensity:
    """A session type's prescription profile (low, moderate, high, vigorous) as a dose
    category: high effort is vigorous, low is light, anything unknown moderate."""
    mapping = {
        Intensity.LOW.value: MovementIntensity.LIGHT,
        Intensity.MODERATE.value: MovementIntensity.MODERATE,
        Intensity.HIGH.value: MovementIntensity.VIGOROUS,
        Intensity.VIGOROUS.value: MovementIntensity.VIGOROUS,
    }
    return mapping.get(value or "", MovementIntensity.MODERATE)


def local_date(occurred_at: datetime, zone: str, day_start_hour: int = 0) -> date:
    """The calendar date ``occurred_at`` belongs to in ``zone`` for a day that starts at
    ``day_start_hour`` local time: the local wall time less that many hours, so a day is a
    calendar day (23 or 25 hours across a daylight-saving change), never 24 hours from an
    instant."""
    if occurred_at.tzinfo is None:
        raise ValueError("occurred_at must be timezone-aware")
    if not 0 <= day_start_hour <= MAX_DAY_START_HOUR:
        raise ValueError(f"day_start_hour must be 0–{MAX_DAY_START_HOUR}")
    wall = occurred_at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    return (wall - timedelta(hours=day_start_hour)).date()


def movement_refusal(
    *,
    occurred_at: datetime,
    now: datetime,
    minutes: int,
    minutes_that_day: int,
    allowed_ahead: timedelta = timedelta(minutes=5),
) -> str | None:
    """Why an event cannot enter the ledger, or None. ``minutes_that_day``: the member's
    minutes already counted on the event's local date (voided events excluded)."""
    if occurred_at > now + allowed_ahead:
        return "a movement event cannot be in the future"
    if minutes < 0:
        return "minutes cannot be negative"
    if minutes_that_day + minutes > MAX_MINUTES_PER_DAY:
        return (
            f"more than {MAX_MINUTES_PER_DAY} minutes in one day is not plausible "
            f"({minutes_that_day} already recorded that day, {minutes} more given)"
        )
    return None


@dataclass(frozen=True)
class LedgerEntry:
    """One movement event as stored: what streaks, adherence, goals, challenges and badges
    take. A voided event stays in the ledger; the event that voids it names it."""

    id: uuid.UUID
    member_id: uuid.UUID
    kind: str
    minutes: int
    intensity: MovementIntensity
    provenance: Provenance
    source: str
    #: Always UTC.
    occurred_at: datetime
    #: The member's calendar date at the tenant's day-start hour, in ``zone``.
    local_date: date
    zone: str
    #: The event this one replaces (a correction) or cancels (a void); None for plain facts.
    voids: uuid.UUID | None
    location_id: uuid.UUID | None
    session_id: uuid.UUID | None
    #: A void carries no movement (0 minutes): it only cancels ``voids``. A correction is
    #: not a void: it carries the corrected facts.
    is_void: bool = False
    #: True once a later event voided or corrected this one (as the ledger stood when read).
    voided: bool = False
    #: When the ledger stored it (UTC); None for events stored before it kept the time.
    recorded_at: datetime | None = None
