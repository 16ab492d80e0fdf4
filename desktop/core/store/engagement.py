"""Members' streaks and latest badge as the server sent them, advanced by this kiosk's own
admissions until the next row from the server replaces them (the server's answer wins)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.engagement import codec
from shared.engagement.streaks import DAILY, WEEKLY, StreakState
from shared.sync.snapshot import SnapshotEngagement


@dataclass(frozen=True)
class CachedEngagement:
    member_id: uuid.UUID
    daily: StreakState
    weekly: StreakState
    day_start_hour: int = 0
    badge_id: uuid.UUID | None = None
    badge: str | None = None
    badge_explanation: str | None = None
    badge_on: date | None = None
    #: This kiosk's admissions have advanced the states since the server's row.
    advanced_locally: bool = False
    #: The badge this kiosk has shown, and at which admission.
    shown_badge_id: uuid.UUID | None = None
    shown_checkin_id: uuid.UUID | None = None


def _uuid(value: str | None) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(value)


class EngagementRows:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    # -- pulled state (caller holds the transaction) -----------------------------------------

    def upsert(self, data: dict[str, Any]) -> None:
        """The server's row replaces the states and badge; what this kiosk showed stays."""
        row = SnapshotEngagement.model_validate(data)
        self._conn.execute(
            """INSERT INTO cached_engagement (member_id, daily, weekly, day_start_hour,
                   badge_id, badge, badge_explanation, badge_on, advanced_locally)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)
               ON CONFLICT (member_id) DO UPDATE SET daily = excluded.daily,
                   weekly = excluded.weekly, day_start_hour = excluded.day_start_hour,
                   badge_id = excluded.badge_id, badge = excluded.badge,
                   badge_explanation = excluded.badge_explanation,
                   badge_on = excluded.badge_on, advanced_locally = 0""",
            (
                str(row.member_id),
                json.dumps(row.daily),
                json.dumps(row.weekly),
                row.day_start_hour,
                None if row.badge_id is None else str(row.badge_id),
                row.badge,
                row.badge_explanation,
                None if row.badge_on is None else row.badge_on.isoformat(),
            ),
        )

    def delete(self, member_id: uuid.UUID) -> None:
        self._conn.execute("DELETE FROM cached_engagement WHERE member_id = ?", (str(member_id),))

    def clear(self) -> None:
        """Before a snapshot's rows: the server's part goes, the kiosk's own marks stay (a
        badge already shown here is not shown again after a reset)."""
        self._conn.execute(
            """UPDATE cached_engagement SET daily = NULL, weekly = NULL, badge_id = NULL,
                   badge = NULL, badge_explanation = NULL, badge_on = NULL,
                   advanced_locally = 0"""
        )

    # -- the kiosk's own (caller holds the transaction) --------------------------------------

    def save_local(
        self,
        member_id: uuid.UUID,
        daily: StreakState,
        weekly: StreakState,
        *,
        day_start_hour: int,
        shown_badge_id: uuid.UUID | None,
        shown_checkin_id: uuid.UUID | None,
    ) -> None:
        self._conn.execute(
            """INSERT INTO cached_engagement (member_id, daily, weekly, day_start_hour,
                   advanced_locally, shown_badge_id, shown_checkin_id)
               VALUES (?, ?, ?, ?, 1, ?, ?)
               ON CONFLICT (member_id) DO UPDATE SET daily = excluded.daily,
                   weekly = excluded.weekly, advanced_locally = 1,
                   shown_badge_id = excluded.shown_badge_id,
                   shown_checkin_id = excluded.shown_checkin_id""",
            (
                str(member_id),
                json.dumps(codec.encode_streak(daily)),
                json.dumps(codec.encode_streak(weekly)),
                day_start_hour,
                None if shown_badge_id is None else str(shown_badge_id),
                None if shown_checkin_id is None else str(shown_checkin_id),
            ),
        )

    # -- reads -------------------------------------------------------------------------------

    def day_start_hour(self) -> int:
        """The tenant's day-start hour as the server's rows give it (0 before any)."""
        row = self._conn.execute(
            "SELECT day_start_hour FROM cached_engagement WHERE daily IS NOT NULL LIMIT 1"
        ).fetchone()
        return 0 if row is None else int(row[0])

    def get(self, member_id: uuid.UUID) -> CachedEngagement | None:
        """The member's row; None when the server has sent none (or a snapshot cleared it and
        sent none back)."""
        row = self._conn.execute(
            """SELECT member_id, daily, weekly, day_start_hour, badge_id, badge,
                   badge_explanation, badge_on, advanced_locally, shown_badge_id,
                   shown_checkin_id
               FROM cached_engagement WHERE member_id = ?""",
            (str(member_id),),
        ).fetchone()
        if row is None:
            return None
        if row[1] is None or row[2] is None:
            return CachedEngagement(
                member_id,
                StreakState(DAILY),
                StreakState(WEEKLY),
                day_start_hour=int(row[3]),
                shown_badge_id=_uuid(row[9]),
                shown_checkin_id=_uuid(row[10]),
            )
        return CachedEngagement(
            member_id=member_id,
            daily=codec.decode_streak(json.loads(row[1])),
            weekly=codec.decode_streak(json.loads(row[2])),
            day_start_hour=int(row[3]),
            badge_id=_uuid(row[4]),
            badge=row[5],
            badge_explanation=row[6],
            badge_on=None if row[7] is None else date.fromisoformat(row[7]),
            advanced_locally=bool(row[8]),
            shown_badge_id=_uuid(row[9]),
            shown_checkin_id=_uuid(row[10]),
        )
