"""What the kiosk's door rules read: the tenant's door policy, and who is in already (the
admissions at this location that were visits, made here or pulled from the server)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import datetime
from typing import Any

from desktop.core.store.codec import decode_time, encode_time
from shared.door_rules import Admission, DoorPolicy

_POLICY_KEY = "checkin_policy"


class DoorRows:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def policy(self) -> DoorPolicy:
        """The pulled policy, or the defaults (a server that sends none has them)."""
        row = self._conn.execute(
            "SELECT value FROM store_meta WHERE key = ?", (_POLICY_KEY,)
        ).fetchone()
        if row is None:
            return DoorPolicy()
        data = json.loads(row[0])
        defaults = DoorPolicy()
        return DoorPolicy(
            int(data.get("reentry_window_minutes", defaults.reentry_window_minutes)),
            int(data.get("class_checkin_opens_minutes", defaults.class_checkin_opens_minutes)),
        )

    def set_policy(self, data: dict[str, Any]) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)",
            (_POLICY_KEY, json.dumps(data, sort_keys=True, default=str)),
        )

    def clear_policy(self) -> None:
        self._conn.execute("DELETE FROM store_meta WHERE key = ?", (_POLICY_KEY,))

    def visits_here(
        self, member_id: uuid.UUID, location_id: uuid.UUID, after: datetime
    ) -> list[Admission]:
        """The member's admissions at the location after ``after`` that were visits (not
        re-entries): this kiosk's own and those other kiosks made (pulled)."""
        member, since = str(member_id), encode_time(after)
        # The server's copy of a check-in is its word on it (e.g. that this kiosk's own
        # admission was, in fact, a re-entry of another kiosk's): it wins over the local row.
        known: set[str] = set()
        found: list[Admission] = []
        pulled = self._conn.execute(
            """SELECT id, occurred_at, data_json FROM cached_checkin
               WHERE member_id = ? AND admitted = 1
                 AND julianday(occurred_at) > julianday(?)""",
            (member, since),
        )
        here = str(location_id)
        for row_id, occurred_at, data_json in pulled:
            known.add(row_id)
            data = json.loads(data_json)
            if data.get("location_id") == here and data.get("repeat_of") is None:
                found.append(Admission(uuid.UUID(row_id), decode_time(occurred_at)))
        own = self._conn.execute(
            """SELECT id, occurred_at FROM local_checkin
               WHERE member_id = ? AND occurred_at > ? AND admitted = 1
                 AND repeat_of IS NULL""",
            (member, since),
        )
        found += [
            Admission(uuid.UUID(row_id), decode_time(at))
            for row_id, at in own
            if row_id not in known
        ]
        return found
