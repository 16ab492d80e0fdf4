"""Pure rules of enrolments: when one starts, which week a date is in, what a coach may set."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from server.errors import InvalidInput
from shared.carepath.progression import TARGET_FIELDS
from shared.carepath.vocabulary import intensity_rank

#: A chosen start further ahead than this is a typing mistake, not a plan.
MAX_DAYS_AHEAD = 120
#: The most a coach may ask of one week, per target.
TARGET_LIMITS: dict[str, int] = {"minutes": 1500, "sessions": 21, "strength_days": 7, "tiles": 50}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(day: date) -> str:
    """ "14 Dec": how an API message names a date (pages format with the location's locale)."""
    return f"{day.day} {_MONTHS[day.month - 1]}"


def next_monday(today: date) -> date:
    """The Monday after ``today`` (a week from today when today is a Monday)."""
    return today + timedelta(days=7 - today.weekday())


def start_date(chosen: date | None, today: date) -> date:
    if chosen is None:
        return next_monday(today)
    if chosen < today:
        raise InvalidInput(f"the start date {chosen.isoformat()} is in the past", code="past_start")
    if chosen > today + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(
            f"the start date can be at most {MAX_DAYS_AHEAD} days ahead", code="start_too_far"
        )
    return chosen


def week_of(day: date, starts_on: date) -> int:
    """The 1-based week ``day`` falls in (0 or less: before the start)."""
    return (day - starts_on).days // 7 + 1


def week_starts(starts_on: date, week: int) -> date:
    return starts_on + timedelta(days=7 * (week - 1))


def check_week_editable(week: int, length: int, starts_on: date, today: date) -> None:
    """A coach changes the current or a future week; a past week is history."""
    if not 1 <= week <= length:
        raise InvalidInput(f"the journey has weeks 1 to {length}, not {week}", code="no_such_week")
    ended = week_starts(starts_on, week) + timedelta(days=6)
    if ended < today:
        raise InvalidInput(
            f"week {week} ended on {short_date(ended)}: only the current or a later week can "
            "be changed",
            code="past_week",
        )


def check_targets(targets: Mapping[str, int]) -> dict[str, int]:
    unknown = sorted(set(targets) - set(TARGET_FIELDS))
    if unknown:
        raise InvalidInput(f"unknown targets: {', '.join(unknown)}", code="bad_target")
    for name, value in targets.items():
        if not 0 <= value <= TARGET_LIMITS[name]:
            raise InvalidInput(
                f"{name.replace('_', ' ')} must be 0 to {TARGET_LIMITS[name]}, not {value}",
                code="bad_target",
            )
    return dict(targets)


def check_ceiling(chosen: str, journey_ceiling: str) -> None:
    try:
        rank = intensity_rank(chosen)
    except ValueError:
        raise InvalidInput(f"unknown intensity {chosen!r}", code="bad_intensity") from None
    if rank > intensity_rank(journey_ceiling):
        raise InvalidInput(
            f"the journey's ceiling is {journey_ceiling}: a coach may lower it, not raise it above",
            code="above_ceiling",
        )


def check_assessment_value(label: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise InvalidInput(
            f"{label} must be between {low:g} and {high:g}, not {value:g}",
            code="implausible_value",
        )
