"""Group commit of bookings: one writer thread per server process.

Booking requests that arrive together all want the same few rows (a popular session's
counters, the location's sync counter) and a commit each. Here a request is put in a queue
and its route awaits a future; one writer thread takes every request waiting at that moment
and applies them in ONE transaction:

* a refusal (4xx) answers only that request. The placement core makes every check before
  its first write, so a refused request left nothing behind; savepoints (two more round trips
  per booking, measured) are not needed. Should a refusal ever come after a write, the
  batch fails as below rather than commit half a booking;
* anything else (the database is down, a deadlock, a bug) rolls the whole transaction back
  and answers every request of the batch 503 — nothing of it was applied;
* the transaction commits once, then every request's future is resolved.

Requests are applied in arrival order, so positions follow arrival within a process; across
processes the session row's lock and the conditional UPDATE still guard capacity. Nothing is
shared between processes: the queue only holds requests in flight.

Locking: on SQLite the booking writers of all processes take turns through a file lock
beside the database, and the batch starts with ``BEGIN IMMEDIATE`` (the database's one write
lock, taken before anything is read). On PostgreSQL the batch first row-locks its members,
then its sessions, each in key order, so that two processes' batches never wait for each
other in a cycle (a single booking also locks its member before its session). Holding
those locks, the batch is placed by ``server.bookings.batch_placing``: read once, decided in
memory, written once; no statement per booking.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import select, tuple_

try:
    import fcntl
except ImportError:  # Windows: SQLite's own busy handler orders the writers
    fcntl = None  # type: ignore[assignment]

from server.bookings.batch_placing import BatchPlacement, place_batch
from server.bookings.placement import BookingOrder
from server.bookings.repository import session_zones
from server.bookings.schemas import BookingRead, booking_read
from server.db.actor import Actor, acting_as, current_actor
from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.errors import DatabaseUnavailable, DomainError
from server.members.models import Member
from server.ports.eligibility import EligibilityService
from server.scheduling.models import ClassSession
from shared.enums import BookingSource

log = logging.getLogger(__name__)

#: Most requests applied in one transaction (a batch holds its sessions' locks until commit).
MAX_BATCH = 250
#: The writer thread ends after this long without work; the next request starts another.
IDLE_SECONDS = 2.0


@dataclass(frozen=True)
class BookingRequest:
    tenant_id: uuid.UUID
    session_id: uuid.UUID
    member_id: uuid.UUID
    source: BookingSource
    booked_by: uuid.UUID | None = None
    future: Future[BookingRead] = field(default_factory=Future, compare=False)
    #: Who asked (the audit log's actor): the writer thread does not run in their context.
    actor: Actor = field(default_factory=current_actor, compare=False)


Outcome = BookingRead | DomainError


@contextmanager
def _writers_take_turns(uow: UnitOfWork) -> Iterator[None]:
    """On a SQLite file, the booking writers of all server processes take turns through an
    OS file lock beside the database: a waiting process wakes the moment the other's batch
    commits, instead of polling SQLite's busy handler (which sleeps up to 100 ms a try and
    lets a busy process take the lock again and again). PostgreSQL queues lock waiters."""
    bind = uow.db.get_bind()
    database = bind.engine.url.database if bind.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or fcntl is None:
        yield
        return
    with open(f"{database}.booking-writer.lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _lock_rows(uow: UnitOfWork, requests: Sequence[BookingRequest]) -> None:
    """Take the batch's locks up front, in one global order (see the module's docstring)."""
    db = uow.db
    if db.get_bind().dialect.name == "sqlite":
        db.connection().exec_driver_sql("BEGIN IMMEDIATE")
        return
    members = sorted({(r.tenant_id, r.member_id) for r in requests})
    db.execute(
        select(Member.id)
        .where(tuple_(Member.tenant_id, Member.id).in_(members))
        .order_by(Member.tenant_id, Member.id)
        .with_for_update()
    ).all()
    sessions = sorted({(r.tenant_id, r.session_id) for r in requests})
    db.execute(
        select(ClassSession.id)
        .where(tuple_(ClassSession.tenant_id, ClassSession.id).in_(sessions))
        .order_by(ClassSession.tenant_id, ClassSession.id)
        .with_for_update()
    ).all()


def apply_batch(
    uow: UnitOfWork,
    requests: Sequence[BookingRequest],
    *,
    eligibility: EligibilityService,
    sealer: FieldSealer | None = None,
) -> list[Outcome]:
    """Place every request in one transaction; one outcome per request.

    A refusal is that request's outcome (the placement core refuses only before it writes);
    any other failure makes every outcome a 503 and nothing is committed.
    """
    orders = [
        BookingOrder(
            tenant_id=r.tenant_id,
            session_id=r.session_id,
            member_id=r.member_id,
            source=r.source,
            booked_by=r.booked_by,
        )
        for r in requests
    ]
    try:
        if eligibility.remote:
            with uow:
                BatchPlacement(uow, eligibility, sealer).ask_ahead(orders)
        with uow, _writers_take_turns(uow), acting_as(_batch_actor(requests)):
            _lock_rows(uow, requests)
            placement = BatchPlacement(uow, eligibility, sealer)
            placed = place_batch(uow, placement, orders)
            booked = [p for p in placed if not isinstance(p, DomainError)]
            zones: dict[uuid.UUID, str] = {}
            for tenant_id in {p.tenant_id for p in booked}:  # a batch may span tenants
                ids = [p.session_id for p in booked if p.tenant_id == tenant_id]
                zones.update(session_zones(uow.db, tenant_id, ids))
            outcomes: list[Outcome] = [
                p
                if isinstance(p, DomainError)
                else booking_read(
                    p, zones.get(p.session_id), warnings=placement.warnings.get(p.id, ())
                )
                for p in placed
            ]
            uow.commit()
    except Exception:
        log.exception("a batch of %d bookings failed; none was applied", len(requests))
        return [_unavailable("nothing was booked, try again") for _ in requests]
    return outcomes


def _batch_actor(requests: Sequence[BookingRequest]) -> Actor:
    """The one actor of a batch; a batch of several people's bookings is the queue's."""
    actors = {request.actor for request in requests}
    return actors.pop() if len(actors) == 1 else Actor("system", name="bookings.queue")


def _unavailable(why: str) -> DatabaseUnavailable:
    return DatabaseUnavailable(f"the booking could not be saved: {why}")


class BookingQueue:
    """The process's booking queue and its writer thread (started when work arrives)."""

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        eligibility: EligibilityService,
        *,
        sealer: FieldSealer | None = None,
        max_batch: int = MAX_BATCH,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        self._uow_factory = uow_factory
        self._eligibility = eligibility
        self._sealer = sealer
        self._max_batch = max_batch
        self._idle_seconds = idle_seconds
        self._waiting: queue.SimpleQueue[BookingRequest] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._writing = False
        #: Sizes of the batches applied so far (for tests and diagnostics).
        self.batch_sizes: deque[int] = deque(maxlen=1000)

    def submit(self, request: BookingRequest) -> Future[BookingRead]:
        self._waiting.put(request)
        with self._lock:
            if not self._writing:
                self._writing = True
                threading.Thread(target=self._write, name="booking-writer", daemon=True).start()
        return request.future

    async def book(self, request: BookingRequest) -> BookingRead:
        """Queue the request and wait (without holding a thread) for its outcome."""
        return await asyncio.wrap_future(self.submit(request))

    def _next_batch(self) -> list[BookingRequest] | None:
        try:
            first = self._waiting.get(timeout=self._idle_seconds)
        except queue.Empty:
            return None
        batch = [first]
        while len(batch) < self._max_batch:
            try:
                batch.append(self._waiting.get_nowait())
            except queue.Empty:
                break
        return batch

    def _write(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                with self._lock:
                    if self._waiting.empty():
                        self._writing = False
                        return
                continue
            self.batch_sizes.append(len(batch))
            try:
                outcomes = apply_batch(
                    self._uow_factory(), batch, eligibility=self._eligibility, sealer=self._sealer
                )
            except BaseException as exc:  # never leave a request waiting forever
                outcomes = [_unavailable(str(exc)) for _ in batch]
            for request, outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, DomainError):
                    request.future.set_exception(outcome)
                else:
                    request.future.set_result(outcome)
