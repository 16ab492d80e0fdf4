"""Member photo thumbnails for the admission card, fetched in the background.

After a pull the sync worker fetches a few at a time: a check-in never waits for a photo,
and a kiosk without one shows the card without it. Best effort: trouble is logged and the
next round tries again; the sync status is not touched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from desktop.core.credentials import CredentialStoreError
from desktop.core.store import Store
from desktop.core.store.member_card import PHOTO_BUDGET_BYTES, MemberCardRows
from desktop.core.sync.connection import ServerConnection
from desktop.core.sync.errors import ServerError

log = logging.getLogger(__name__)

#: Thumbnails fetched per round (each a small request; a round follows each pull).
PHOTO_BATCH = 20


class PhotoFetcher:
    def __init__(
        self,
        *,
        store: Store,
        connection: ServerConnection,
        now: Callable[[], datetime],
        budget: int = PHOTO_BUDGET_BYTES,
    ) -> None:
        self._store = store
        self._connection = connection
        self._now = now
        self.budget = budget

    def fetch_some(
        self, limit: int = PHOTO_BATCH, stopping: Callable[[], bool] = lambda: False
    ) -> int:
        """Fetch up to ``limit`` missing thumbnails; how many were kept."""
        if self._connection.device() is None:
            return 0
        rows = MemberCardRows(self._store.connection())
        wanted = rows.photos_wanted(limit, self.budget)
        if not wanted and rows.photo_bytes() < self.budget:
            return 0  # the usual case after a pull: two reads, no write
        # Photos replaced or of members gone since free their space first.
        with self._store.transaction() as conn:
            MemberCardRows(conn).drop_stale_photos()
        wanted = rows.photos_wanted(limit, self.budget)
        kept = 0
        for member_id, version in wanted:
            if stopping():
                break
            try:
                data = self._connection.client().fetch_thumbnail(member_id)
            except (ServerError, CredentialStoreError) as exc:
                log.info("Member photos wait for the server: %s", exc)
                break
            with self._store.transaction() as conn:
                rows = MemberCardRows(conn)
                if data and rows.photo_bytes() + len(data) > self.budget:
                    break
                # No photo after all (removed meanwhile): an empty entry stops asking again
                # until the member's photo changes.
                stored = rows.put_photo(member_id, version, data or b"", self._now())
            kept += 1 if stored and data else 0
        return kept
