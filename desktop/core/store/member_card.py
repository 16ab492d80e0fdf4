"""What the admission card needs beyond the member's name: date of birth, photo thumbnails,
staff alerts and the tenant's location names.

Details, alerts and places are pulled state (a snapshot replaces them). Photos are fetched
in the background after the fact; a photo is shown only while it is the member's current one.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from desktop.core.store.codec import encode_opt_time, encode_time
from shared.sync.snapshot import SnapshotMember, SnapshotMemberAlert, SnapshotPlace

INSERT_DETAIL = "INTO cached_member_detail (member_id, photo_updated_at) VALUES (?, ?)"
#: Every thumbnail a kiosk keeps, together; beyond it no more are fetched.
PHOTO_BUDGET_BYTES = 64 * 1024 * 1024
#: One thumbnail; the server sends at most 20 KB, anything bigger is not kept.
PHOTO_MAX_BYTES = 20 * 1024


def detail_rows(members: Iterable[SnapshotMember]) -> list[tuple[object, ...]]:
    return [(str(m.id), encode_opt_time(m.photo_updated_at)) for m in members]


class MemberCardRows:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    # -- pulled state (caller holds the transaction) -----------------------------------------

    def upsert_details(self, members: Iterable[SnapshotMember]) -> None:
        self._conn.executemany(f"INSERT OR REPLACE {INSERT_DETAIL}", detail_rows(members))

    def delete_details(self, member_id: uuid.UUID) -> None:
        self._conn.execute(
            "DELETE FROM cached_member_detail WHERE member_id = ?", (str(member_id),)
        )

    def clear_details(self) -> None:
        self._conn.execute("DELETE FROM cached_member_detail")

    def upsert_alert(self, data: dict[str, Any]) -> None:
        alert = SnapshotMemberAlert.model_validate(data)
        if alert.resolved_at is not None:
            self.delete_alert(alert.id)
            return
        self._conn.execute(
            """INSERT OR REPLACE INTO cached_member_alert (id, member_id, text, created_at)
               VALUES (?, ?, ?, ?)""",
            (str(alert.id), str(alert.member_id), alert.text, encode_time(alert.created_at)),
        )

    def delete_alert(self, alert_id: uuid.UUID) -> None:
        self._conn.execute("DELETE FROM cached_member_alert WHERE id = ?", (str(alert_id),))

    def clear_alerts(self) -> None:
        self._conn.execute("DELETE FROM cached_member_alert")

    def upsert_place(self, data: dict[str, Any]) -> None:
        place = SnapshotPlace.model_validate(data)
        self._conn.execute(
            "INSERT OR REPLACE INTO cached_place (id, name) VALUES (?, ?)",
            (str(place.id), place.name),
        )

    def clear_places(self) -> None:
        self._conn.execute("DELETE FROM cached_place")

    # -- reads ------------------------------------------------------------------------------

    def alerts(self, member_id: uuid.UUID) -> list[str]:
        rows = self._conn.execute(
            "SELECT text FROM cached_member_alert WHERE member_id = ? ORDER BY created_at, id",
            (str(member_id),),
        )
        return [r[0] for r in rows]

    def place_names(self, ids: Iterable[uuid.UUID]) -> list[str]:
        """The names of those of ``ids`` the kiosk knows, alphabetically."""
        wanted = [str(i) for i in ids]
        if not wanted:
            return []
        marks = ", ".join("?" * len(wanted))
        rows = self._conn.execute(
            f"SELECT name FROM cached_place WHERE id IN ({marks}) ORDER BY name", wanted
        )
        return [r[0] for r in rows]

    def photo(self, member_id: uuid.UUID) -> bytes | None:
        """The member's thumbnail, if the one held is their current photo."""
        row = self._conn.execute(
            """SELECT p.data FROM member_photo p JOIN cached_member_detail d
                 ON d.member_id = p.member_id AND d.photo_updated_at = p.photo_updated_at
               WHERE p.member_id = ?""",
            (str(member_id),),
        ).fetchone()
        return bytes(row[0]) if row is not None and row[0] else None

    # -- the photo cache ----------------------------------------------------------------------

    def photos_wanted(self, limit: int, budget: int = PHOTO_BUDGET_BYTES) -> list[tuple[str, str]]:
        """(member id, photo version) of members whose current photo is not held yet, while
        the held photos stay within ``budget``."""
        if self.photo_bytes() >= budget:
            return []
        rows = self._conn.execute(
            """SELECT d.member_id, d.photo_updated_at FROM cached_member_detail d
               LEFT JOIN member_photo p ON p.member_id = d.member_id
               WHERE d.photo_updated_at IS NOT NULL
                 AND (p.member_id IS NULL OR p.photo_updated_at != d.photo_updated_at)
               ORDER BY d.member_id LIMIT ?""",
            (limit,),
        )
        return [(r[0], r[1]) for r in rows]

    def photo_bytes(self) -> int:
        row = self._conn.execute("SELECT COALESCE(SUM(LENGTH(data)), 0) FROM member_photo")
        return int(row.fetchone()[0])

    def put_photo(self, member_id: str, version: str, data: bytes, now: datetime) -> bool:
        """Keep a fetched thumbnail; False (nothing kept) when it is too big for the cache."""
        if len(data) > PHOTO_MAX_BYTES:
            return False
        self._conn.execute(
            """INSERT OR REPLACE INTO member_photo (member_id, photo_updated_at, data, fetched_at)
               VALUES (?, ?, ?, ?)""",
            (member_id, version, data, encode_time(now)),
        )
        return True

    def drop_stale_photos(self) -> None:
        """Photos of members gone, or replaced since, free their space."""
        self._conn.execute(
            """DELETE FROM member_photo WHERE NOT EXISTS (
                 SELECT 1 FROM cached_member_detail d WHERE d.member_id = member_photo.member_id
                   AND d.photo_updated_at = member_photo.photo_updated_at)"""
        )
