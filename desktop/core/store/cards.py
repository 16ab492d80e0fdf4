"""Cards assigned to members at this kiosk, waiting for the server to have them."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime

from desktop.core.store.codec import encode_time


class LocalCardRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def assign(
        self,
        card_norm: str,
        card_number: str,
        member_id: uuid.UUID,
        *,
        assigned_at: datetime,
        mutation_id: int,
    ) -> None:
        self._conn.execute(
            """INSERT INTO local_card (card_norm, card_number, member_id, assigned_at,
                   mutation_id) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (card_norm) DO UPDATE SET card_number = excluded.card_number,
                   member_id = excluded.member_id, assigned_at = excluded.assigned_at,
                   mutation_id = excluded.mutation_id""",
            (card_norm, card_number, str(member_id), encode_time(assigned_at), mutation_id),
        )

    def pending_member(self, card_norm: str) -> uuid.UUID | None:
        """Whose card this is by an assignment the server has not acknowledged yet (after
        that, the pulled member rows are the truth: the server may have refused it)."""
        row = self._conn.execute(
            """SELECT member_id FROM local_card c WHERE card_norm = ?
                 AND EXISTS (SELECT 1 FROM outbox o WHERE o.mutation_id = c.mutation_id)""",
            (card_norm,),
        ).fetchone()
        return None if row is None else uuid.UUID(row[0])
