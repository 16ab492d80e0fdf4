"""The kiosk's side of sync, as the sync worker drives it: push, pull, snapshot refresh and
the status staff see.

Every operation here turns trouble into status (never raises for network or server
trouble): offline, revoked, refused. The status is what the worker reports to the UI.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from desktop.core.credentials import CredentialStore, CredentialStoreError
from desktop.core.store import (
    DeviceRepository,
    OutboxRepository,
    PulledRows,
    RejectedRepository,
    Store,
    SyncStateRepository,
    SyncStatusRepository,
)
from desktop.core.sync.connection import ServerConnection
from desktop.core.sync.engine import PushResult, SyncEngine
from desktop.core.sync.errors import (
    OFFLINE_MESSAGE,
    DeviceRevoked,
    Offline,
    ServerError,
    ServerRejected,
    ServerUnavailable,
)
from desktop.core.sync.photos import PhotoFetcher

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class KioskStatus:
    enrolled: bool
    #: None until this run has tried to reach the server.
    online: bool | None
    last_sync_at: datetime | None
    last_error: str | None
    credential_warning: str | None
    #: The server revoked this kiosk, or its credential is gone: staff must enrol it again.
    needs_enrolment: bool
    #: Outbox rows the server has not acknowledged, and when the oldest was written.
    pending_count: int = 0
    oldest_pending_at: datetime | None = None
    #: Open review items for this location (pulled from the server).
    open_reviews: int = 0
    #: Actions the server refused for good, and the reason for the latest one.
    rejected_count: int = 0
    rejected_reason: str | None = None


class KioskSync:
    """Every operation turns network and server trouble into status, never an exception."""

    def __init__(
        self,
        *,
        store: Store,
        credentials: CredentialStore,
        connection: ServerConnection,
        engine: SyncEngine,
        now: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._credentials = credentials
        self._connection = connection
        self.engine = engine
        self._now = now
        #: None until this run has tried to reach the server.
        self._online: bool | None = None
        #: Member photo thumbnails, fetched after pulls (never on a check-in's path).
        self.photos = PhotoFetcher(store=store, connection=connection, now=now)
        #: Whether the server has push and pull (None: not known yet). An older server
        #: has only the snapshot; the outbox then waits for it to be upgraded.
        self.incremental: bool | None = None

    # -- status ----------------------------------------------------------------------------

    def status(self) -> KioskStatus:
        conn = self._store.connection()
        record = SyncStatusRepository(conn).get()
        outbox = OutboxRepository(conn)
        rejected = RejectedRepository(conn)
        latest = rejected.latest(1)
        return KioskStatus(
            enrolled=DeviceRepository(conn).get() is not None,
            online=self._online,
            last_sync_at=record.last_success_at,
            last_error=record.last_error,
            credential_warning=self._credentials.warning,
            needs_enrolment=self._connection.needs_enrolment,
            pending_count=outbox.pending_count(),
            oldest_pending_at=outbox.oldest_pending_at(),
            open_reviews=PulledRows(conn).open_review_items(),
            rejected_count=rejected.count(),
            rejected_reason=latest[0].reason if latest else None,
        )

    def pending_count(self) -> int:
        return OutboxRepository(self._store.connection()).pending_count()

    def oldest_pending_at(self) -> datetime | None:
        return OutboxRepository(self._store.connection()).oldest_pending_at()

    def has_cursor(self) -> bool:
        """Whether pulls can continue from a cursor the server gave (else: snapshot first)."""
        return SyncStateRepository(self._store.connection()).get().has_cursor

    def cursor(self) -> tuple[int, int]:
        """The pull cursor and the last mutation id the server acknowledged."""
        state = SyncStateRepository(self._store.connection()).get()
        return state.cursor, state.last_mutation_id

    def on_local_write(self, listener: Callable[[], None]) -> Callable[[], None]:
        """``listener`` runs after each committed action that queued a mutation (in the
        writing thread; keep it short: e.g. wake the sync worker). Returns an unsubscribe."""
        return self._store.on_outbox_write(listener)

    # -- operations (never raise for network or server trouble) -----------------------------

    def refresh(self) -> KioskStatus:
        """Download the snapshot; replace the pulled cache in one transaction (local rows and
        the outbox stay). Failures are recorded and the cache kept."""
        if self._connection.device() is not None:
            self._guarded(self.engine.reset_from_snapshot, incremental=False)
            self._store.checkpoint()  # here, off the check-in path (runs on the sync worker)
        return self.status()

    def awaits_snapshot(self) -> bool:
        """Whether this kiosk must download its snapshot before pushing or pulling again."""
        return self.incremental is False

    def push(self) -> PushResult | None:
        """Push the whole outbox, batch by batch; None if it stopped on an error."""
        if self._connection.device() is None or self.incremental is False:
            return None
        result = self._guarded(self.engine.push_all, incremental=False)
        if result is not None and result.sent:
            self.incremental = True  # the server answered a push
        return result

    def pull(self, wait: float = 0.0) -> int | None:
        """Pull changes until up to date (the first request may wait ``wait`` s for one);
        the number applied, or None on an error."""
        if self._connection.device() is None or self.incremental is False:
            return None
        return self._guarded(lambda: self.engine.pull_all(wait))

    @property
    def offline(self) -> bool:
        """Whether the last attempt of this run found the server unreachable."""
        return self._online is False

    def probe(self, timeout: float) -> bool:
        """Whether the server answers its cheap health check now (no token, nothing
        recorded); False when not enrolled. Never raises."""
        if self._connection.device() is None:
            return False
        try:
            return self._connection.client().reachable(timeout)
        except (ServerError, CredentialStoreError):
            return False

    # -- internals -------------------------------------------------------------------------

    def _guarded(self, operation: Callable[[], T], *, incremental: bool = True) -> T | None:
        """Run a sync operation, recording trouble; ``incremental``: success proves the
        server has push/pull."""
        now = self._now()
        try:
            result = operation()
        except ServerUnavailable as exc:
            self._fail(now, str(exc), online=False)
        except Offline as exc:
            # The cause (e.g. "[Errno 104] Connection reset by peer") is for the log only.
            log.warning("Sync cannot reach the server: %s (%r)", exc, exc.__cause__)
            self._fail(now, OFFLINE_MESSAGE, online=False)
        except DeviceRevoked as exc:
            self._connection.needs_enrolment = True
            self._fail(now, str(exc), online=True)
        except ServerRejected as exc:
            if exc.status == 404 and self.incremental is not True:
                log.warning("The server has no incremental sync; using snapshots only")
                self.incremental = False
                self._online = True
            else:
                self._fail(now, str(exc), online=True)
        except ServerError as exc:
            self._fail(now, str(exc), online=True)
        except CredentialStoreError as exc:
            self._fail(now, str(exc), online=self._online)
        else:
            self._online = True
            self._connection.needs_enrolment = False
            if incremental:
                self.incremental = True
            return result
        return None

    def _fail(self, now: datetime, message: str, *, online: bool | None) -> None:
        log.warning("Sync failed: %s", message)
        self._online = online
        with self._store.transaction() as conn:
            SyncStatusRepository(conn).record_failure(now, message)
