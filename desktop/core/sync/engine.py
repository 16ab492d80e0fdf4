"""Push and pull, over the local store and a :class:`ServerClient`.

No Qt: the sync worker calls these methods, which use a short-lived thread per request only
to overlap the network with local work. Every local change is one SQLite transaction: a
push's answer (acknowledged rows out, refused rows to ``rejected_mutations``, the new
``last_mutation_id``) and a pulled page with its cursor. A crash between two of them loses
nothing: the outbox is resent (the server answers "duplicate") and the page is pulled again
(appliers are idempotent).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from desktop.core.store import (
    OutboxRepository,
    PulledRows,
    RejectedRepository,
    ScopeRepository,
    Store,
    SyncStateRepository,
    SyncStatusRepository,
)
from desktop.core.store.cache import CacheRepository
from desktop.core.store.prune import history_cutoff, prune_checkins
from desktop.core.sync import push_wire
from desktop.core.sync.apply import TableApplier, apply_changes, apply_snapshot_tables
from desktop.core.sync.client import OutboxReport
from desktop.core.sync.errors import (
    ChangesLost,
    CursorExpired,
    MutationGap,
    ServerError,
    ServerProtocolError,
)
from desktop.core.sync.in_flight import InFlight
from desktop.core.sync.push_wire import PushBatch
from shared.enums import MutationStatus
from shared.sync.messages import MAX_PUSH_BATCH, PullResponse, PushResponse

if TYPE_CHECKING:
    from desktop.core.sync.client import ServerClient

#: Changes asked for per pull request.
PULL_PAGE = 1000
#: How often a pull also forgets check-ins too old to matter.
PRUNE_EVERY = timedelta(hours=6)
_REFUSED = "refused by the server"


class NotEnrolled(ServerError):
    def __init__(self) -> None:
        super().__init__("This kiosk is not enrolled")


@dataclass(frozen=True)
class PushResult:
    sent: int = 0
    acknowledged: int = 0
    rejected: int = 0
    #: The server had already applied some of what we sent (its answer to us was lost).
    recovered_gap: bool = False


@dataclass(frozen=True)
class PullResult:
    applied: int
    cursor: int
    has_more: bool


@dataclass(frozen=True)
class SyncTarget:
    """Who we are to the server."""

    device_id: str
    location_id: str


class SyncEngine:
    def __init__(
        self,
        *,
        store: Store,
        client: Callable[[], ServerClient],
        target: Callable[[], SyncTarget | None],
        now: Callable[[], datetime],
        appliers: MutableMapping[str, TableApplier],
        batch_size: int = MAX_PUSH_BATCH,
        page_size: int = PULL_PAGE,
    ) -> None:
        self._store = store
        self._client = client
        self._target = target
        self._now = now
        #: How each pulled table is applied, by table name.
        self.appliers = appliers
        self.batch_size = min(batch_size, MAX_PUSH_BATCH)
        self.page_size = page_size
        # One push and one pull at a time: two pulls of neighbouring pages applied out of
        # order would put older rows over newer ones.
        self._push_lock = threading.Lock()
        self.pull_lock = threading.Lock()
        self._resets = 0
        self._pruned_at: datetime | None = None

    # -- push --------------------------------------------------------------------------------

    def push_all(self) -> PushResult:
        """Push batches until the outbox is empty or a batch makes no progress.

        The kiosk's part of each batch overlaps the server's: while the server applies one
        batch, the next is read and compressed here; and once an answer covers its whole
        batch, the next batch is sent before that answer is recorded locally. The server
        gets the requests it would get one batch at a time, each sent only after the
        previous answer. Should an answer leave part of its batch pending (a gap, a short
        answer), the next batch is read again from the outbox, as without the overlap. A
        crash between sending a batch and recording the previous answer resends that
        answer's batch next time (the server answers "duplicate").
        """
        sent = acknowledged = rejected = 0
        with self._push_lock:
            target = self._require_target()
            conn = self._store.connection()
            batch = self._read_batch(conn, target)
            sending = push_wire.send(self._client, batch.payload) if batch is not None else None
            while batch is not None and sending is not None:
                ahead = None
                if len(batch.ids) == self.batch_size:  # maybe more: read it meanwhile
                    ahead = self._read_batch(conn, target, after=batch.ids[-1])
                result, following = self._settle(sending, conn, batch, ahead)
                sent += result.sent
                acknowledged += result.acknowledged
                rejected += result.rejected
                if following is not None:
                    batch, sending = ahead, following
                elif result.acknowledged + result.rejected > 0 or result.recovered_gap:
                    batch = self._read_batch(conn, target)
                    sending = (
                        push_wire.send(self._client, batch.payload) if batch is not None else None
                    )
                else:
                    break
        return PushResult(sent, acknowledged, rejected)

    def push_once(self) -> PushResult:
        """Send the oldest ``batch_size`` outbox rows and record the server's answer."""
        with self._push_lock:
            target = self._require_target()
            conn = self._store.connection()
            batch = self._read_batch(conn, target)
            if batch is None:
                return PushResult()
            result, _ = self._settle(
                push_wire.send(self._client, batch.payload, wait=True), conn, batch
            )
            return result

    def _read_batch(
        self, conn: sqlite3.Connection, target: SyncTarget, after: int = 0
    ) -> PushBatch | None:
        rows = OutboxRepository(conn).pending_wire(self.batch_size, after=after)
        if not rows:
            return None
        return PushBatch.of(target.device_id, rows, SyncStateRepository(conn).get().mutation_base)

    def _settle(
        self,
        sending: InFlight,
        conn: sqlite3.Connection,
        batch: PushBatch,
        ahead: PushBatch | None = None,
    ) -> tuple[PushResult, InFlight | None]:
        """Wait for the answer to ``batch`` and record it. If the answer covers the whole
        batch, ``ahead`` (the rows after it) is sent first and returned in flight."""
        try:
            body = sending.result()
        except MutationGap as gap:
            server_last = gap.last_mutation_id
            if server_last is None:  # not in the answer: a pull says it too
                cursor = SyncStateRepository(conn).get().cursor
                server_last = int(self._client().pull(cursor, 1, 0)["last_mutation_id"])
            return self._recover_gap(batch.ids, batch.base + server_last), None
        try:
            answer = PushResponse.model_validate(body)
        except ValidationError as exc:
            raise ServerProtocolError("The server's push answer cannot be read") from exc
        following = None
        if ahead is not None and answer.last_mutation_id + batch.base >= batch.ids[-1]:
            following = push_wire.send(self._client, ahead.payload)
        try:
            return self._record_answer(batch.ids, answer, batch.base), following
        except BaseException:
            if following is not None:
                following.wait()  # its rows stay pending: sent again next time
            raise

    def _record_answer(self, ids: list[int], answer: PushResponse, base: int) -> PushResult:
        results = {r.mutation_id + base: r for r in answer.results}
        server_last = answer.last_mutation_id + base
        acknowledged: list[int] = []
        reasons: dict[int, str] = {}
        for mutation_id in ids:
            result = results.get(mutation_id)
            if result is None:
                # Not answered one by one, but covered by the server's last id: it has it.
                if mutation_id <= server_last:
                    acknowledged.append(mutation_id)
            elif result.status is MutationStatus.REJECTED:
                reasons[mutation_id] = result.reason or _REFUSED
            else:
                acknowledged.append(mutation_id)
        now = self._now()
        with self._store.transaction() as conn:
            outbox = OutboxRepository(conn)
            refused = [(e, reasons[e.mutation_id]) for e in outbox.entries(list(reasons))]
            outbox.remove(acknowledged + list(reasons))
            RejectedRepository(conn).add(refused, now)
            SyncStateRepository(conn).acknowledge(server_last, now)
            PulledRows(conn).retire_acknowledged()
            SyncStatusRepository(conn).record_contact(now)
        return PushResult(len(ids), len(acknowledged), len(reasons))

    def _recover_gap(self, ids: list[int], server_last: int) -> PushResult:
        """409: drop what the server already has; what is left must start right after it.
        ``server_last`` is in outbox numbering."""
        have = [mutation_id for mutation_id in ids if mutation_id <= server_last]
        now = self._now()
        with self._store.transaction() as conn:
            outbox = OutboxRepository(conn)
            outbox.remove(have)
            if have:
                SyncStateRepository(conn).acknowledge(server_last, now)
                PulledRows(conn).retire_acknowledged()
            first = outbox.first_pending_id()
        if first is None or first == server_last + 1:
            return PushResult(len(ids), len(have), 0, recovered_gap=True)
        raise ChangesLost(
            f"The server is missing {first - 1 - server_last} change(s) from this kiosk "
            "that it had confirmed earlier (was it restored from a backup?). New changes are "
            "kept here; call support."
        )

    # -- pull --------------------------------------------------------------------------------

    def pull_all(self, wait: float = 0.0) -> int:
        """Pull pages until the server has no more; only the first request may wait. The
        next page is downloaded while this one is applied."""
        applied = 0
        with self.pull_lock:
            resets = self._resets
            ahead: _PageAhead | None = None
            while True:
                result, ahead = self._pull_page(wait, ahead, read_ahead=True)
                applied += result.applied
                wait = 0.0
                if self._resets > resets + 1:
                    raise ServerProtocolError(
                        "The server keeps asking for a new download; try again later"
                    )
                if not result.has_more:
                    self._prune_history_if_due()
                    return applied

    def _outbox_report(self) -> OutboxReport:
        outbox = OutboxRepository(self._store.connection())
        oldest = outbox.oldest_pending_at()
        age = None if oldest is None else max(0.0, (self._now() - oldest).total_seconds())
        return OutboxReport(outbox.pending_count(), age)

    def _pull_page(
        self, wait: float, ahead: _PageAhead | None = None, *, read_ahead: bool = False
    ) -> tuple[PullResult, _PageAhead | None]:
        self._require_target()
        before = SyncStateRepository(self._store.connection()).get().cursor
        try:
            if ahead is not None and ahead.cursor == before:
                body = ahead.page.result()
            else:
                body = self._client().pull(before, self.page_size, wait, self._outbox_report())
        except CursorExpired:
            self._reset_locked()
            cursor = SyncStateRepository(self._store.connection()).get().cursor
            return PullResult(0, cursor, True), None
        try:
            page = PullResponse.model_validate(body)
        except ValidationError as exc:
            raise ServerProtocolError("The server's pull answer cannot be read") from exc
        following = None
        if read_ahead and page.has_more and page.cursor > before:
            following = _PageAhead(
                page.cursor,
                InFlight(
                    partial(self._client().pull, page.cursor, self.page_size, 0.0),
                    name="sync-pull-ahead",
                ),
            )
        now = self._now()
        with self._store.transaction() as conn:
            applied = apply_changes(conn, page.changes, self.appliers)
            state = SyncStateRepository(conn)
            state.advance_cursor(page.cursor, now)  # never back, whatever the server says
            PulledRows(conn).retire_acknowledged()
            SyncStatusRepository(conn).record_contact(now)
            cursor = state.get().cursor
        # A page that moves nothing forward cannot be followed by another one.
        return PullResult(applied, cursor, page.has_more and cursor > before), following

    def _prune_history_if_due(self) -> None:
        """Forget old check-ins (``desktop.core.store.prune``) once every few hours."""
        now = self._now()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        with self._store.transaction() as conn:
            location = ScopeRepository(conn).location_ref()
            if location is not None:
                prune_checkins(conn, history_cutoff(now, ZoneInfo(location.timezone)))

    # -- snapshot ----------------------------------------------------------------------------

    def reset_from_snapshot(self) -> None:
        """Download the snapshot; replace the pulled cache and cursor in one transaction.
        The outbox and local rows stay."""
        with self.pull_lock:
            self._reset_locked()

    def _reset_locked(self) -> None:
        self._resets += 1
        target = self._require_target()
        client = self._client()
        document = client.fetch_snapshot_document()
        snapshot = client.parse_snapshot(document)
        if str(snapshot.location.id) != target.location_id:
            raise ServerProtocolError(
                "The server sent data for another location; enrol this kiosk again"
            )
        cursor = document.get("cursor")
        now = self._now()
        with self._store.transaction() as conn:
            ScopeRepository(conn).replace(snapshot)
            CacheRepository(conn).replace(snapshot)
            apply_snapshot_tables(conn, document, self.appliers)
            if isinstance(cursor, int):
                SyncStateRepository(conn).advance_cursor(cursor, now)
            PulledRows(conn).retire_acknowledged()
            SyncStatusRepository(conn).record_success(now, snapshot.server_time)

    # -- internals ---------------------------------------------------------------------------

    def _require_target(self) -> SyncTarget:
        target = self._target()
        if target is None:
            raise NotEnrolled()
        return target


@dataclass(frozen=True)
class _PageAhead:
    """The next pull page, downloading while the current one is applied. Used only if the
    cursor is still the one it was asked for; otherwise forgotten."""

    cursor: int
    page: InFlight
