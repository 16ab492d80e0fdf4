"""Pure rules of nudges: when one is due, whether it may go now, and why it was sent.

A nudge is decided in this order: something already done (the class checked in, a new
booking after a no-show) drops it; an opt-out of its kind drops it; before it is due it
waits; in the member's quiet hours it waits until they end, unless it is a class reminder
that would then come too late (dropped); with the weekly cap reached it is dropped; else
it goes. Quiet hours are wall-clock times in the member's own zone, so a daylight-saving
change moves the instant they end, never the time on the member's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.engagement.streaks import StreakRisk, StreakUnit
from shared.quiet_hours import QuietHours as QuietHours


class NudgeKind(StrEnum):
    CLASS_REMINDER = "class_reminder"
    STREAK_PROTECTION = "streak_protection"
    LAPSED = "lapsed"
    NO_SHOW = "no_show"
    #: A coach's own message to the member (sent at once, never by the job).
    COACH = "coach"


class Skip(StrEnum):
    """Why a nudge was recorded without being sent."""

    QUIET_HOURS = "quiet_hours"
    CAP = "cap"
    OPTED_OUT = "opted_out"
    DONE_ALREADY = "done_already"


DEFAULT_WEEKLY_CAP = 3
DEFAULT_REMINDER_MINUTES = 120
DEFAULT_LAPSE_DAYS = 7
#: The cap counts nudges sent in the rolling window before now.
CAP_WINDOW = timedelta(days=7)
#: A class reminder later than this before the class is no use: quiet hours drop it.
MIN_REMINDER_LEAD = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Preferences:
    opted_out: frozenset[NudgeKind] = frozenset()
    quiet: QuietHours = QuietHours()  # noqa: RUF009 (frozen, so shared safely)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A nudge that could be sent: its kind and subject (unique per member), when it is
    due, why, and whether what it asks for is done already."""

    kind: NudgeKind
    subject_key: str
    due_at: datetime
    why: str
    done: bool = False
    #: A class reminder must arrive before this (the class start).
    deadline: datetime | None = None


class Action(StrEnum):
    SEND = "send"
    WAIT = "wait"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    reason: Skip | None = None
    #: For a wait in quiet hours: when they end.
    retry_at: datetime | None = None


def decide(
    candidate: Candidate,
    prefs: Preferences,
    zone: ZoneInfo,
    now: datetime,
    *,
    sent_in_window: int,
    weekly_cap: int,
) -> Decision:
    """What to do with ``candidate`` at ``now`` (see the module docstring for the order)."""
    if candidate.done:
        return Decision(Action.SKIP, Skip.DONE_ALREADY)
    if candidate.kind in prefs.opted_out:
        return Decision(Action.SKIP, Skip.OPTED_OUT)
    if now < candidate.due_at:
        return Decision(Action.WAIT, retry_at=candidate.due_at)
    if prefs.quiet.quiet_at(now, zone):
        ends = prefs.quiet.next_end(now, zone)
        if candidate.deadline is not None and ends > candidate.deadline - MIN_REMINDER_LEAD:
            return Decision(Action.SKIP, Skip.QUIET_HOURS)
        return Decision(Action.WAIT, retry_at=ends)
    if sent_in_window >= weekly_cap:
        return Decision(Action.SKIP, Skip.CAP)
    return Decision(Action.SEND)


def parse_clock(text: str) -> time:
    """``HH:MM`` on a 24-hour clock; anything else is a ValueError."""
    parts = text.split(":")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError(f"{text!r} is not a time of day as HH:MM")
    hour, minute = int(parts[0]), int(parts[1])
    if hour > 23 or minute > 59:
        raise ValueError(f"{text!r} is not a time of day (00:00 to 23:59)")
    return time(hour, minute)


def clock(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _day(value: date) -> str:
    return f"{value.day} {value:%b}"


def _hours(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


def reminder_why(class_name: str, starts_at: datetime, before: timedelta, zone: ZoneInfo) -> str:
    local = starts_at.astimezone(zone)
    return (
        f"booked {class_name} at {clock(local.time())} on {_day(local.date())}; "
        f"reminder {_hours(before)} before"
    )


def streak_why(unit: str, current: int, minutes_needed: int, period_ends_on: date) -> str:
    span = "week" if unit == "week" else "day"
    return (
        f"{current}-{span} streak; {minutes_needed} more minutes by {_day(period_ends_on)} keep it"
    )


def lapsed_why(last_moved: datetime, days: int, zone: ZoneInfo) -> str:
    return f"no movement since {_day(last_moved.astimezone(zone).date())}; nudge after {days} days"


def no_show_why(class_name: str, starts_at: datetime, zone: ZoneInfo) -> str:
    local = starts_at.astimezone(zone)
    return (
        f"booked {class_name} at {clock(local.time())} on {_day(local.date())} "
        "and was marked a no-show; one follow-up"
    )


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    body: str


def message(kind: NudgeKind, why: str, headline: str) -> Message:
    """The email of a nudge: a headline, then why it was sent and how to stop it."""
    body = (
        f"{headline}\n\nWhy you got this: {why}.\n\n"
        "You can turn these off or change your quiet hours under Account, Notifications."
    )
    return Message(headline[:300], body)


#: Streak protection warns on the last days of a week (Friday to Sunday for a Monday week):
#: earlier, there is time enough without a message.
WARN_DAYS = 3


def worth_warning(risk: StreakRisk) -> bool:
    """Only weekly streaks are protected by a nudge (a daily one would be a message a day),
    and only once the week's end is near."""
    if risk.unit != StreakUnit.WEEK or risk.today is None:
        return False
    return (risk.period_ends_on - risk.today).days < WARN_DAYS
