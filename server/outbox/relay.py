"""The relay: fans outbox events out into deliveries (one per matching webhook subscription
and per sink), then sends due deliveries, in order per member and target, retrying with
backoff and dead-lettering after the last attempt.

Safe with several server processes: an event is fanned out by whoever flips its
``dispatched_at`` (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a conditional update
everywhere), and a delivery is attempted only by the relay whose claim (a token and a lease)
the conditional update wrote. At least once: an attempt whose outcome was not recorded (a
crash, an expired lease) is made again with the same event id, which receivers dedupe by.

Subscriptions in batch content mode get their due events in requests of up to
``batch_size``, in event order, one request after the other per subscription: a refused
batch fails every event in it (they come back together, with one backoff), and the
subscription's later claimed events are released unsent, so nothing overtakes.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Row,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import BindParameter

from server.db.bulk import insert_rows
from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.outbox import rules
from server.outbox.models import (
    BATCH,
    DEAD,
    DELIVERED,
    PENDING,
    OutboxDelivery,
    OutboxEvent,
    WebhookSubscription,
)
from server.outbox.secrets import live_secrets
from server.ports.analytics import EventPublisher, PublishedEvent
from server.ports.webhooks import WebhookBatch, WebhookMessage, WebhookSender
from shared.clock import utcnow
from shared.ids import new_id

log = logging.getLogger(__name__)

#: On PostgreSQL, the statistics of the deliveries table are refreshed after this many new
#: deliveries (see :meth:`Relay.dispatch`).
ANALYZE_AFTER = 5_000

D, E = OutboxDelivery, OutboxEvent
#: Core tables for the executemany updates (an ORM update with many rows would be a bulk
#: update by primary key, which these, keyed by claim as well, are not).
DT: Table = OutboxDelivery.__table__  # type: ignore[assignment]
ET: Table = OutboxEvent.__table__  # type: ignore[assignment]
_KEY: dict[str, BindParameter[Any]] = {
    "b_tenant": bindparam("b_tenant"),
    "b_target": bindparam("b_target"),
    "b_seq": bindparam("b_seq"),
}


def _owned(claim: uuid.UUID) -> Any:
    return and_(
        DT.c.tenant_id == _KEY["b_tenant"],
        DT.c.target == _KEY["b_target"],
        DT.c.event_seq == _KEY["b_seq"],
        DT.c.claim == claim,
    )


@dataclass(frozen=True)
class Claimed:
    tenant_id: uuid.UUID
    target: str
    event_seq: int
    subject: uuid.UUID | None
    attempts: int
    event: PublishedEvent

    def key(self) -> dict[str, Any]:
        return {"b_tenant": self.tenant_id, "b_target": self.target, "b_seq": self.event_seq}

    @property
    def ident(self) -> tuple[uuid.UUID, str, int]:
        return (self.tenant_id, self.target, self.event_seq)


@dataclass(frozen=True)
class Target:
    """A subscription's endpoint as the relay sends to it."""

    url: str
    secrets: tuple[str, ...]
    content_mode: str


@dataclass
class Outcomes:
    delivered: list[Claimed] = field(default_factory=list)
    failed: list[tuple[Claimed, str]] = field(default_factory=list)
    #: Claimed but not attempted: an earlier event of the same member (or, in batch mode,
    #: an earlier batch to the same subscription) failed first.
    released: list[Claimed] = field(default_factory=list)
    #: Of the failed ones sent in a batch: the batch's id (they share one retry time).
    batch_of: dict[tuple[uuid.UUID, str, int], str] = field(default_factory=dict)

    def add(self, other: Outcomes) -> None:
        self.delivered += other.delivered
        self.failed += other.failed
        self.released += other.released
        self.batch_of.update(other.batch_of)


@dataclass(frozen=True)
class _Flight:
    """A claimed batch being sent."""

    claim: uuid.UUID
    at: datetime
    sends: list[Future[Outcomes]]


#: Told, in the transaction that records it, that ``count`` events to a tenant's webhook
#: subscription (its target) were given up on, with the last error: (uow, tenant id,
#: subscription id, count, error).
DeadLetterHook = Callable[[UnitOfWork, uuid.UUID, uuid.UUID, int, str], None]


@dataclass(frozen=True)
class RelayRun:
    dispatched: int
    delivered: int
    failed: int


def _is_postgres(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


class Relay:
    """``run(now)`` once per job interval; tests pass ``now`` to simulate days."""

    def __init__(
        self,
        *,
        make_uow: Callable[[], UnitOfWork],
        sender: WebhookSender,
        sinks: Mapping[str, EventPublisher],
        sealer: FieldSealer,
        batch: int = 500,
        batch_size: int = 100,
        concurrency: int = 8,
        lease: timedelta = timedelta(minutes=5),
        rounds: int = 50,
        rand: random.Random | None = None,
        on_dead_letter: DeadLetterHook | None = None,
    ) -> None:
        self._make_uow = make_uow
        self._on_dead_letter = on_dead_letter
        self._sender = sender
        self._sinks = dict(sinks)
        self._sealer = sealer
        self._batch = batch
        #: Events per request to a subscription in batch content mode.
        self._batch_size = max(1, batch_size)
        self._lease = lease
        self._rounds = rounds
        self._rand = rand or random.Random()
        #: Deliveries this relay made since it last had PostgreSQL's statistics refreshed.
        self._fanned_out = 0
        self._pool = ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="zmos-outbox")

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    # --- the job ---------------------------------------------------------------------------

    def run(self, now: datetime | None = None) -> RelayRun:
        """Fan out what is new, then send what is due, round after round, until nothing is
        left to send now (or ``rounds`` rounds). Rounds overlap: the next batch is claimed
        while the last one is being sent (its lines are claimed, so nothing of them is
        overtaken), and its outcomes are recorded after."""
        at = now or utcnow()
        dispatched = delivered = failed = 0
        flight: _Flight | None = None
        for _ in range(self._rounds):
            fanned = self.dispatch(at)
            dispatched += fanned
            claim = new_id()
            claimed = self._claim(claim, at)
            landed = self._land(flight) if flight is not None else Outcomes()
            delivered += len(landed.delivered)
            failed += len(landed.failed)
            flight = self._launch(claim, claimed, at) if claimed else None
            moved = landed.delivered or landed.failed or landed.released
            if not fanned and not claimed and not moved:
                break
            if now is None:
                at = utcnow()
        if flight is not None:
            landed = self._land(flight)
            delivered += len(landed.delivered)
            failed += len(landed.failed)
        return RelayRun(dispatched, delivered, failed)

    # --- fan-out ---------------------------------------------------------------------------

    def dispatch(self, now: datetime) -> int:
        """Turn up to ``batch`` new events into deliveries, in one transaction."""
        with self._make_uow() as uow:
            db = uow.db
            query = (
                select(E.tenant_id, E.seq, E.name, E.subject, E.recorded_at)
                .where(E.dispatched_at.is_(None))
                .order_by(E.tenant_id, E.seq)
                .limit(self._batch)
            )
            if _is_postgres(db):
                query = query.with_for_update(skip_locked=True)
            events = db.execute(query).all()
            if not events:
                return 0
            if not self._mark_dispatched(db, events, now):
                return 0  # another relay took some of them first: it fans them out
            subscriptions = _subscriptions_of(db, {e.tenant_id for e in events})
            rows = list(self._deliveries(events, subscriptions, now))
            insert_rows(db, OutboxDelivery, rows)
            uow.commit()
            self._fanned_out += len(rows)
            if self._fanned_out >= ANALYZE_AFTER and _is_postgres(db):
                self._fanned_out = 0
                # A burst of new deliveries leaves PostgreSQL's statistics of the table far
                # behind (autovacuum looks once a minute): its plans then picked an index
                # that walks a whole target's rows for each keyed update (seconds a round).
                # As after any bulk load: ANALYZE (a sample, milliseconds; a role that does
                # not own the table gets a warning, not an error).
                db.execute(text("ANALYZE outbox_deliveries"))
                uow.commit()
        return len(events)

    def _mark_dispatched(self, db: Session, events: Sequence[Any], now: datetime) -> bool:
        done = db.execute(
            update(ET)
            .where(
                ET.c.tenant_id == bindparam("b_tenant"),
                ET.c.seq == bindparam("b_seq"),
                ET.c.dispatched_at.is_(None),
            )
            .values(dispatched_at=now)
            .execution_options(synchronize_session=False),
            [{"b_tenant": e.tenant_id, "b_seq": e.seq} for e in events],
        )
        if _is_postgres(db) or not db.get_bind().dialect.supports_sane_multi_rowcount:
            return True  # the rows are locked (SKIP LOCKED): nobody else has them
        return cast(CursorResult[Any], done).rowcount == len(events)

    def _deliveries(
        self,
        events: Sequence[Any],
        subscriptions: Mapping[uuid.UUID, list[tuple[uuid.UUID, list[str]]]],
        now: datetime,
    ) -> Iterable[dict[str, Any]]:
        for event in events:
            targets = [rules.sink_target(name) for name in self._sinks]
            targets += [
                rules.subscription_target(sub_id)
                for sub_id, types in subscriptions.get(event.tenant_id, ())
                if rules.matches(types, event.name)
            ]
            for target in targets:
                yield {
                    "tenant_id": event.tenant_id,
                    "target": target,
                    "event_seq": event.seq,
                    "subject": event.subject,
                    "recorded_at": event.recorded_at,
                    "state": PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "claimed_until": None,
                    "claim": None,
                    "last_error": None,
                    "last_attempt_at": None,
                    "delivered_at": None,
                }

    # --- delivery --------------------------------------------------------------------------

    def deliver(self, now: datetime) -> Outcomes:
        """One round: claim up to ``batch`` due deliveries, send them, record the outcomes."""
        claim = new_id()
        claimed = self._claim(claim, now)
        return self._land(self._launch(claim, claimed, now)) if claimed else Outcomes()

    def _launch(self, claim: uuid.UUID, claimed: list[Claimed], now: datetime) -> _Flight:
        """Each line (one member's events to one target) is sent by a worker; the events
        of a subscription in batch mode, all its lines together, by one worker."""
        targets = self._targets(claimed, now)
        batched = [c for c in claimed if self._batched(targets, c)]
        single = [c for c in claimed if not self._batched(targets, c)]
        sends = [self._pool.submit(self._send_group, group, targets) for group in _lines(single)]
        sends += [
            self._pool.submit(self._send_batches, group, targets) for group in _by_target(batched)
        ]
        return _Flight(claim, now, sends)

    def _land(self, flight: _Flight) -> Outcomes:
        outcomes = Outcomes()
        for sent in flight.sends:
            outcomes.add(sent.result())
        self._settle(flight.claim, outcomes, flight.at)
        return outcomes

    def _claim(self, claim: uuid.UUID, now: datetime) -> list[Claimed]:
        with self._make_uow() as uow:
            db = uow.db
            _one_snapshot(db)
            candidates = _due_rows(db, now, self._batch)
            uow.commit()  # the snapshot ends; the claim sees other relays' claims
            if not candidates:
                return []
            db.execute(
                update(DT)
                .where(
                    DT.c.tenant_id == _KEY["b_tenant"],
                    DT.c.target == _KEY["b_target"],
                    DT.c.event_seq == _KEY["b_seq"],
                    DT.c.state == PENDING,
                    or_(DT.c.claimed_until.is_(None), DT.c.claimed_until <= now),
                )
                .values(claimed_until=now + self._lease, claim=claim)
                .execution_options(synchronize_session=False),
                [
                    {"b_tenant": c.tenant_id, "b_target": c.target, "b_seq": c.event_seq}
                    for c in candidates
                ],
            )
            uow.commit()
            owned = {
                (row.tenant_id, row.target, row.event_seq)
                for row in db.execute(
                    # Through the (tenant, state) index: few deliveries are pending at once.
                    select(D.tenant_id, D.target, D.event_seq).where(
                        D.tenant_id.in_({c.tenant_id for c in candidates}),
                        D.state == PENDING,
                        D.claim == claim,
                    )
                )
            }
            uow.commit()
        return _in_order([_claimed(c) for c in candidates], owned, self._release_now(claim, now))

    def _release_now(self, claim: uuid.UUID, now: datetime) -> Callable[[list[Claimed]], None]:
        def release(rows: list[Claimed]) -> None:
            if rows:
                self._settle(claim, Outcomes(released=rows), now)

        return release

    def _targets(self, claimed: Sequence[Claimed], now: datetime) -> dict[str, Target]:
        """URL, signing secrets and content mode of each subscription target among
        ``claimed``."""
        wanted = {
            (c.tenant_id, uuid.UUID(c.target.removeprefix(rules.SUBSCRIPTION_PREFIX)))
            for c in claimed
            if c.target.startswith(rules.SUBSCRIPTION_PREFIX)
        }
        if not wanted:
            return {}
        with self._make_uow() as uow:
            rows = uow.db.execute(
                select(WebhookSubscription).where(
                    tuple_(WebhookSubscription.tenant_id, WebhookSubscription.id).in_(list(wanted))
                )
            ).scalars()
            found: dict[str, Target] = {}
            for row in rows:
                found[rules.subscription_target(row.id)] = Target(
                    row.url, live_secrets(self._sealer, row, now), row.content_mode
                )
        return found

    def _send_group(self, group: list[Claimed], targets: Mapping[str, Target]) -> Outcomes:
        """Send one member's events to one target in order; stop at the first failure."""
        result = Outcomes()
        for index, item in enumerate(group):
            error = self._send_one(item, targets)
            if error is None:
                result.delivered.append(item)
                continue
            result.failed.append((item, error))
            result.released += group[index + 1 :]
            break
        return result

    def _batched(self, targets: Mapping[str, Target], item: Claimed) -> bool:
        """A configured sink takes its events in batches; a subscription when it chose to."""
        if item.target.startswith(rules.SINK_PREFIX):
            return item.target.removeprefix(rules.SINK_PREFIX) in self._sinks
        return _mode(targets, item) == BATCH

    def _send_batches(self, group: list[Claimed], targets: Mapping[str, Target]) -> Outcomes:
        """Send one target's events (in event order) in batches, one request after the
        other; stop at the first refused batch: its events fail, the rest is released."""
        result = Outcomes()
        for start in range(0, len(group), self._batch_size):
            chunk = group[start : start + self._batch_size]
            events = tuple(c.event for c in chunk)
            batch_id: str | None = None
            try:
                if chunk[0].target.startswith(rules.SINK_PREFIX):
                    self._sinks[chunk[0].target.removeprefix(rules.SINK_PREFIX)].publish_many(
                        events
                    )
                else:
                    target = targets[chunk[0].target]
                    batch = WebhookBatch(target.url, events, target.secrets)
                    batch_id = batch.id
                    self._sender.send_batch(batch)
            except Exception as exc:  # the receiver did not take it: every event is retried
                error = (str(exc) or type(exc).__name__)[:500]
                result.failed += [(c, error) for c in chunk]
                if batch_id is not None:
                    result.batch_of.update((c.ident, batch_id) for c in chunk)
                result.released += group[start + self._batch_size :]
                break
            result.delivered += chunk
        return result

    def _send_one(self, item: Claimed, targets: Mapping[str, Target]) -> str | None:
        try:
            if item.target.startswith(rules.SINK_PREFIX):
                # A configured sink's events go in batches (``_batched``): this one is not.
                return "this sink is not configured on the server"
            found = targets.get(item.target)
            if found is None:
                return "the subscription was deleted"
            self._sender.send(WebhookMessage(found.url, item.event, found.secrets))
            return None
        except Exception as exc:  # any failure of a sink or an endpoint is retried later
            return (str(exc) or type(exc).__name__)[:500]

    def _settle(self, claim: uuid.UUID, outcomes: Outcomes, now: datetime) -> None:
        done = [{**c.key(), "v_attempts": c.attempts + 1} for c in outcomes.delivered]
        failed = self._failures(outcomes, now)
        released = [c.key() for c in outcomes.released]
        with self._make_uow() as uow:
            db = uow.db
            if done:
                db.execute(
                    update(DT)
                    .where(_owned(claim))
                    .values(
                        state=DELIVERED,
                        attempts=bindparam("v_attempts"),
                        delivered_at=now,
                        last_attempt_at=now,
                        last_error=None,
                        claimed_until=None,
                        claim=None,
                    )
                    .execution_options(synchronize_session=False),
                    done,
                )
            if failed:
                db.execute(
                    update(DT)
                    .where(_owned(claim))
                    .values(
                        state=bindparam("v_state"),
                        attempts=bindparam("v_attempts"),
                        next_attempt_at=bindparam("v_next"),
                        last_error=bindparam("v_error"),
                        last_attempt_at=now,
                        claimed_until=None,
                        claim=None,
                    )
                    .execution_options(synchronize_session=False),
                    failed,
                )
            if released:
                db.execute(
                    update(DT)
                    .where(_owned(claim))
                    .values(claimed_until=None, claim=None)
                    .execution_options(synchronize_session=False),
                    released,
                )
            self._tell_dead(uow, failed)
            uow.commit()

    def _tell_dead(self, uow: UnitOfWork, failed: list[dict[str, Any]]) -> None:
        """The hook, once per subscription that had events dead-lettered in this round."""
        if self._on_dead_letter is None:
            return
        dead: dict[tuple[uuid.UUID, str], tuple[int, str]] = {}
        for row in failed:
            target = row["b_target"]
            if row["v_state"] == DEAD and target.startswith(rules.SUBSCRIPTION_PREFIX):
                count, _ = dead.get((row["b_tenant"], target), (0, ""))
                dead[row["b_tenant"], target] = (count + 1, row["v_error"])
        for (tenant_id, target), (count, error) in dead.items():
            subscription = uuid.UUID(target.removeprefix(rules.SUBSCRIPTION_PREFIX))
            self._on_dead_letter(uow, tenant_id, subscription, count, error)

    def _failures(self, outcomes: Outcomes, now: datetime) -> list[dict[str, Any]]:
        """The rows of the failed deliveries: each its own backoff, but the events of one
        refused batch (with as many attempts) share one, so they come back as a batch."""
        drawn: dict[tuple[str, int], datetime | None] = {}
        rows = []
        for item, error in outcomes.failed:
            attempts = item.attempts + 1
            batch = outcomes.batch_of.get(item.ident)
            if batch is None:
                again = rules.retry_at(attempts, now, self._rand)
            else:
                if (batch, attempts) not in drawn:
                    drawn[batch, attempts] = rules.retry_at(attempts, now, self._rand)
                again = drawn[batch, attempts]
            rows.append(self._failure(item, error, attempts, again, now))
        return rows

    def _failure(
        self, item: Claimed, error: str, attempts: int, again: datetime | None, now: datetime
    ) -> dict[str, Any]:
        if again is None:
            log.warning("event %s to %s dead-lettered: %s", item.event.id, item.target, error)
        return {
            **item.key(),
            "v_state": PENDING if again is not None else DEAD,
            "v_attempts": attempts,
            "v_next": again or now,
            "v_error": error,
        }

    # --- retention -------------------------------------------------------------------------

    def prune(self, now: datetime, keep: timedelta) -> int:
        """Delete events (and their deliveries) recorded before ``now - keep`` once nothing
        of them is pending; pending ones stay, however old."""
        cutoff = now - keep
        with self._make_uow() as uow:
            db = uow.db
            pending = aliased(D)
            still_pending = exists().where(
                pending.tenant_id == E.tenant_id,
                pending.event_seq == E.seq,
                pending.state == PENDING,
            )
            old = (
                select(E.tenant_id, E.seq)
                .where(E.recorded_at < cutoff, E.dispatched_at.is_not(None), ~still_pending)
                .limit(10_000)
            )
            keys = [(row.tenant_id, row.seq) for row in db.execute(old)]
            if not keys:
                return 0
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                db.execute(delete(D).where(tuple_(D.tenant_id, D.event_seq).in_(chunk)))
                db.execute(delete(E).where(tuple_(E.tenant_id, E.seq).in_(chunk)))
            uow.commit()
        return len(keys)


def _one_snapshot(db: Session) -> None:
    """Make the transaction's reads see one snapshot of the database, so that
    :func:`_due_rows`'s two reads agree: read apart, another relay's claim committed between
    them hides its deliveries from the second read without holding their line in the first,
    and a member's later event would be sent before the earlier ones (PostgreSQL: REPEATABLE
    READ, in its own transaction; SQLite: a read transaction, a snapshot in WAL mode)."""
    connection = db.connection()
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        if driver is not None and not driver.in_transaction:
            driver.execute("BEGIN")
        return
    connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def _due_rows(db: Session, now: datetime, limit: int) -> list[Row[Any]]:
    """Up to ``limit`` pending deliveries that may be attempted now, in event order: due,
    unclaimed, and not behind an earlier pending delivery of the same member to the same
    target that may not go (one waiting for its retry, or claimed by another relay).

    Two plain reads instead of one anti-join: the lines held now, then the due deliveries
    in event order, skipping those behind a held one, until ``limit`` are found. The
    anti-join's plan hung on row estimates that are far off on a table the relay has just
    filled and claimed from (PostgreSQL chose a nested loop: seconds a round)."""
    held = {
        (row.tenant_id, row.target, row.subject): row.seq
        for row in db.execute(
            select(D.tenant_id, D.target, D.subject, func.min(D.event_seq).label("seq"))
            .where(
                D.state == PENDING,
                D.subject.is_not(None),
                or_(D.next_attempt_at > now, D.claimed_until > now),
            )
            .group_by(D.tenant_id, D.target, D.subject)
        )
    }
    paused = _paused(db)
    query = (
        select(
            D.tenant_id,
            D.target,
            D.event_seq,
            D.subject,
            D.attempts,
            E.event_id,
            E.name,
            E.occurred_at,
            E.data,
        )
        .join(E, and_(E.tenant_id == D.tenant_id, E.seq == D.event_seq))
        .where(
            D.state == PENDING,
            D.next_attempt_at <= now,
            or_(D.claimed_until.is_(None), D.claimed_until <= now),
        )
        .order_by(D.event_seq, D.tenant_id, D.target)
        .execution_options(yield_per=limit)
    )
    if paused:
        query = query.where(D.target.not_in(paused))
    found: list[Row[Any]] = []
    result = db.execute(query)
    try:
        for row in result:
            first_held = held.get((row.tenant_id, row.target, row.subject))
            if first_held is not None and row.event_seq > first_held:
                continue
            found.append(row)
            if len(found) == limit:
                break
    finally:
        result.close()
    return found


def _paused(db: Session) -> list[str]:
    ids = db.execute(
        select(WebhookSubscription.id).where(WebhookSubscription.active.is_(False))
    ).scalars()
    return [rules.subscription_target(i) for i in ids]


def _subscriptions_of(
    db: Session, tenants: set[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[uuid.UUID, list[str]]]]:
    found: dict[uuid.UUID, list[tuple[uuid.UUID, list[str]]]] = {}
    rows = db.execute(
        select(
            WebhookSubscription.tenant_id, WebhookSubscription.id, WebhookSubscription.event_types
        ).where(WebhookSubscription.tenant_id.in_(tenants))
    )
    for row in rows:
        found.setdefault(row.tenant_id, []).append((row.id, list(row.event_types)))
    return found


def _claimed(row: Row[Any]) -> Claimed:
    event = PublishedEvent(
        tenant_id=row.tenant_id,
        name=row.name,
        occurred_at=row.occurred_at,
        data=dict(row.data or {}),
        id=row.event_id,
        subject=row.subject,
    )
    return Claimed(row.tenant_id, row.target, row.event_seq, row.subject, row.attempts, event)


def _mode(targets: Mapping[str, Target], item: Claimed) -> str | None:
    found = targets.get(item.target)
    return found.content_mode if found is not None else None


def _by_target(claimed: Sequence[Claimed]) -> list[list[Claimed]]:
    """The claimed deliveries by (tenant, target), each in event order."""
    groups: dict[tuple[uuid.UUID, str], list[Claimed]] = {}
    for item in claimed:
        groups.setdefault((item.tenant_id, item.target), []).append(item)
    return [sorted(group, key=lambda c: c.event_seq) for group in groups.values()]


def _line_of(item: Claimed) -> tuple[Any, ...]:
    # Events about nobody in particular have no order to keep: each is its own line.
    if item.subject is None:
        return (item.tenant_id, item.target, None, item.event_seq)
    return (item.tenant_id, item.target, item.subject)


def _lines(claimed: Sequence[Claimed]) -> list[list[Claimed]]:
    """The claimed deliveries by (tenant, target, member), each line in event order."""
    lines: dict[tuple[Any, ...], list[Claimed]] = {}
    for item in claimed:
        lines.setdefault(_line_of(item), []).append(item)
    return list(lines.values())


def _in_order(
    candidates: list[Claimed],
    owned: set[tuple[uuid.UUID, str, int]],
    release: Callable[[list[Claimed]], None],
) -> list[Claimed]:
    """Keep, of each line, the claimed deliveries up to the first one another relay holds:
    a later event of a member never overtakes an earlier one. The rest are released."""
    kept: list[Claimed] = []
    let_go: list[Claimed] = []
    for line in _lines(candidates):
        broken = False
        for item in line:
            mine = (item.tenant_id, item.target, item.event_seq) in owned
            if mine and not broken:
                kept.append(item)
            elif mine:
                let_go.append(item)
            else:
                broken = True
    release(let_go)
    return kept
