"""What the staff desk reads from the cache: a member's visits and bookings, the location's
review items. Read-only queries."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime

from desktop.core.store.codec import decode_time, encode_time


@dataclass(frozen=True)
class Visit:
    occurred_at: datetime
    admitted: bool
    reason: str
    #: Recorded at this kiosk and not yet acknowledged by the server.
    pending: bool


@dataclass(frozen=True)
class MemberBooking:
    session_id: uuid.UUID
    session_name: str
    starts_at: datetime
    #: confirmed, waitlisted, cancelled… or "booked here" for one not yet answered.
    status: str
    position: int | None


@dataclass(frozen=True)
class CachedReviewItem:
    id: uuid.UUID
    kind: str
    summary: str
    member_id: uuid.UUID | None
    created_at: datetime


class DeskRows:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def visits(self, member_id: uuid.UUID, limit: int) -> list[Visit]:
        """The newest check-ins of a member: the server's and this kiosk's unsent ones."""
        rows = self._conn.execute(
            """SELECT occurred_at, admitted, data_json, 0 AS pending FROM cached_checkin
                   WHERE member_id = ? AND occurred_at IS NOT NULL
               UNION ALL
               SELECT occurred_at, admitted, json_object('reason', reason), 1 FROM local_checkin
                   WHERE member_id = ?
               ORDER BY occurred_at DESC LIMIT ?""",
            (str(member_id), str(member_id), limit),
        )
        visits = []
        for r in rows:
            data = json.loads(r[2])
            visits.append(
                Visit(
                    occurred_at=decode_time(r[0]),
                    admitted=bool(r[1]),
                    reason=str(data.get("reason") or ""),
                    pending=bool(r[3]),
                )
            )
        return visits

    def bookings(self, member_id: uuid.UUID, since: datetime) -> list[MemberBooking]:
        """A member's bookings of sessions ending after ``since``, soonest first."""
        rows = self._conn.execute(
            """SELECT s.id, s.name, s.starts_at, b.status, b.position
                   FROM cached_booking b JOIN cached_class_session s ON s.id = b.session_id
                   WHERE b.member_id = ? AND s.ends_at > ?
               UNION ALL
               SELECT s.id, s.name, s.starts_at,
                      CASE b.status WHEN 'waitlisted' THEN 'waitlisted (pending)'
                                    ELSE 'booked here' END, NULL
                   FROM local_booking b JOIN cached_class_session s ON s.id = b.session_id
                   WHERE b.member_id = ? AND s.ends_at > ?
                     AND b.id NOT IN (SELECT id FROM cached_booking)
               ORDER BY 3""",
            (str(member_id), encode_time(since), str(member_id), encode_time(since)),
        )
        return [
            MemberBooking(
                session_id=uuid.UUID(r[0]),
                session_name=r[1],
                starts_at=decode_time(r[2]),
                status=r[3],
                position=None if r[4] is None else int(r[4]),
            )
            for r in rows
        ]

    def open_review_items(self) -> list[CachedReviewItem]:
        rows = self._conn.execute(
            "SELECT id, data_json FROM cached_review_item WHERE status = 'open'"
        ).fetchall()
        items = []
        for row_id, data_json in rows:
            data = json.loads(data_json)
            member = data.get("member_id")
            items.append(
                CachedReviewItem(
                    id=uuid.UUID(row_id),
                    kind=str(data.get("kind") or ""),
                    summary=str(data.get("summary") or ""),
                    member_id=uuid.UUID(member) if member else None,
                    created_at=datetime.fromisoformat(str(data["created_at"])),
                )
            )
        return sorted(items, key=lambda item: item.created_at)

    def mark_review_resolved(self, item_id: uuid.UUID, note: str) -> None:
        """The server resolved it at this kiosk's request: until the pull brings the row
        back, the desk no longer lists it."""
        self._conn.execute(
            """UPDATE cached_review_item SET status = 'resolved',
                   data_json = json_set(data_json, '$.status', 'resolved',
                                        '$.resolution_note', ?)
               WHERE id = ?""",
            (note, str(item_id)),
        )
