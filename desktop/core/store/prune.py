"""Forgetting old check-ins at the kiosk, so that months of door traffic do not pile up.

Check-ins at the kiosk serve two purposes: counting visits against weekly and monthly visit
limits (this kiosk's own admissions and those pulled from the server) and the desk's recent
history. Both need only the current week and month, and a few days back for the history.
Older rows go, except this kiosk's check-ins still waiting in the outbox: those are the
only copy until the server has acknowledged them.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from desktop.core.store.codec import encode_time
from shared.eligibility import period_bounds
from shared.enums import LimitPeriod

#: Days of check-ins kept whatever the visit periods (the desk's recent history).
HISTORY_DAYS = 14


def history_cutoff(now: datetime, tz: ZoneInfo, history_days: int = HISTORY_DAYS) -> datetime:
    """The oldest moment still needed: the start of the current week and of the current
    month (in the location's zone), and ``history_days`` back, whichever is earliest."""
    starts = [period_bounds(now, tz, period)[0] for period in LimitPeriod]
    return min([*starts, now - timedelta(days=history_days)])


def prune_checkins(conn: sqlite3.Connection, before: datetime) -> int:
    """Delete check-ins that happened before ``before`` (caller holds the transaction):
    pulled ones, and this kiosk's own once acknowledged. Returns how many went."""
    cutoff = encode_time(before)
    pulled = conn.execute(
        "DELETE FROM cached_checkin WHERE julianday(occurred_at) < julianday(?)", (cutoff,)
    ).rowcount
    own = conn.execute(
        """DELETE FROM local_checkin
           WHERE julianday(occurred_at) < julianday(?)
             AND mutation_id NOT IN (SELECT mutation_id FROM outbox)""",
        (cutoff,),
    ).rowcount
    # A check-out outlives neither copy of its visit (its own outbox row aside).
    conn.execute(
        """DELETE FROM local_checkout
           WHERE checkin_id NOT IN (SELECT id FROM local_checkin)
             AND checkin_id NOT IN (SELECT id FROM cached_checkin)
             AND mutation_id NOT IN (SELECT mutation_id FROM outbox)"""
    )
    return int(pulled) + int(own)
