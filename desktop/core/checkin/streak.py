"""The member's streak and any new badge at the door, decided from the kiosk's cache.

An admission advances the cached daily and weekly streak states with the shared rules, as
the server will once the check-in reaches it (a floor check-in's minutes, on the local date
at the tenant's day-start hour), so a second admission offline sees the first. Badges are
never guessed here: the server's latest one is shown once, at the first admission after it
arrived, if it was earned in the last week.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from desktop.core.store.engagement import CachedEngagement, EngagementRows
from shared.engagement.badges import badge_title
from shared.engagement.dose import DayDose
from shared.engagement.streaks import DAILY, WEEKLY, StreakState
from shared.movement import FLOOR_CHECKIN_MINUTES, local_date

#: A badge earned longer ago than this is not news at the door.
BADGE_NEWS_DAYS = 7


@dataclass(frozen=True)
class DoorEngagement:
    """What the admission screen says: "6-week streak" and a new badge, if any."""

    streak: str | None = None
    badge: str | None = None


def advance(
    daily: StreakState, weekly: StreakState, at: datetime, timezone: str, day_start_hour: int
) -> tuple[StreakState, StreakState]:
    """Both streaks after one more floor check-in at ``at`` (moderate minutes, as the server
    records a check-in when the tenant says nothing else)."""
    dose = DayDose(local_date(at, timezone, day_start_hour), FLOOR_CHECKIN_MINUTES, 0, 1)
    return daily.apply(dose), weekly.apply(dose)


def badge_is_news(cached: CachedEngagement, today: date) -> bool:
    return (
        cached.badge_id is not None
        and cached.badge_on is not None
        and (today - cached.badge_on) <= timedelta(days=BADGE_NEWS_DAYS)
        and cached.badge_id != cached.shown_badge_id
    )


def record_admission(
    conn: sqlite3.Connection,
    member_id: uuid.UUID,
    checkin_id: uuid.UUID,
    at: datetime,
    timezone: str,
) -> None:
    """Advance the member's cached streaks by this admission, and note a badge shown at it
    (inside the admission's transaction)."""
    rows = EngagementRows(conn)
    cached = rows.get(member_id)
    # A member with no row yet: the tenant's hour from any member's row.
    hour = cached.day_start_hour if cached else rows.day_start_hour()
    daily = cached.daily if cached else StreakState(DAILY)
    weekly = cached.weekly if cached else StreakState(WEEKLY)
    daily, weekly = advance(daily, weekly, at, timezone, hour)
    shown_badge, shown_at = (
        (cached.shown_badge_id, cached.shown_checkin_id) if cached else (None, None)
    )
    if cached is not None and badge_is_news(cached, local_date(at, timezone, hour)):
        shown_badge, shown_at = cached.badge_id, checkin_id
    rows.save_local(
        member_id,
        daily,
        weekly,
        day_start_hour=hour,
        shown_badge_id=shown_badge,
        shown_checkin_id=shown_at,
    )


def streak_words(daily: StreakState, weekly: StreakState, today: date) -> str | None:
    """The longer of the two streaks (in days; a tie goes to weeks): "6-week streak"."""
    days, weeks = daily.view(today).current, weekly.view(today).current
    if weeks == 0 and days == 0:
        return None
    if weeks * 7 >= days:
        return f"{weeks}-week streak"
    return f"{days}-day streak"


def door_engagement(
    cached: CachedEngagement | None, checkin_id: uuid.UUID | None, today: date
) -> DoorEngagement:
    """What to show for an admission: the badge only at the admission that showed it."""
    if cached is None:
        return DoorEngagement()
    badge = None
    if (
        cached.badge is not None
        and checkin_id is not None
        and cached.shown_checkin_id == checkin_id
    ):
        because = f" \N{EM DASH} {cached.badge_explanation}" if cached.badge_explanation else ""
        badge = f"New badge: {badge_title(cached.badge)}{because}"
    return DoorEngagement(streak_words(cached.daily, cached.weekly, today), badge)


def for_admission(
    conn: sqlite3.Connection,
    member_id: uuid.UUID,
    checkin_id: uuid.UUID | None,
    at: datetime,
    timezone: str,
) -> DoorEngagement:
    cached = EngagementRows(conn).get(member_id)
    hour = cached.day_start_hour if cached else 0
    return door_engagement(cached, checkin_id, local_date(at, timezone, hour))
