"""outbox.delivery — events recorded in the outbox, relayed as CloudEvents (structured mode,
one event per request, Standard Webhooks signed) to a receiver in its own process on
loopback that verifies every signature; plus the standalone log sink. Measured from the first
relay run until every event was delivered to both.

outbox.delivery_batch — the same, the subscription in batched content mode (up to 100 events
per request, ``application/cloudevents-batch+json``, each batch signed): the bar's figure."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select

from server.adapters.cloudevents_webhooks import CloudEventsWebhooks
from server.adapters.log_events import LogEventPublisher
from server.bootstrap import build_container
from server.db.migrate import upgrade
from server.outbox import rules
from server.outbox.models import BATCH, PENDING, STRUCTURED, OutboxDelivery, WebhookSubscription
from server.outbox.record import record
from server.outbox.relay import Relay
from server.outbox.secrets import seal_secret
from server.ports.analytics import PublishedEvent
from shared.ids import new_id
from tests.ports import free_port

from .core import Bar, Context, Figure, Limit, benchmark, in_process_settings
from .server import fresh_postgres_database, sqlite_url

BAR = Bar(
    text="≥ 1,000 events/s delivered to a loopback receiver (CloudEvents batches of 100)",
    limits=(Limit("throughput", ">=", 1000.0),),
)
PER_REQUEST = Bar(
    text="measured: one event per request (the ≥ 1,000 events/s bar applies to batch mode, "
    "outbox.delivery_batch)",
    limits=(),
)
NAMES = {STRUCTURED: "outbox.delivery", BATCH: "outbox.delivery_batch"}


@contextmanager
def _receiver(secret: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.loopback.event_receiver", str(port), secret],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == b"ready"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _seed(
    container: object, tenant_id: uuid.UUID, url: str, secret: str, events: int, mode: str
) -> None:
    make_uow = container.uow  # type: ignore[attr-defined]
    sealer = container.sealer  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    with make_uow() as uow:
        sub_id = new_id()
        uow.db.add(
            WebhookSubscription(
                tenant_id=tenant_id,
                id=sub_id,
                url=f"{url}/hooks",
                description="bench",
                event_types=["*"],
                active=True,
                content_mode=mode,
                secret_sealed=seal_secret(sealer, tenant_id, sub_id, "current", secret),
                created_at=now,
                updated_at=now,
            )
        )
        uow.commit()
    members = [uuid.uuid4() for _ in range(max(1, events // 10))]
    for start in range(0, events, 500):
        with make_uow() as uow:
            record(
                uow.db,
                [
                    PublishedEvent(
                        tenant_id,
                        "movement.recorded",
                        now - timedelta(minutes=1),
                        {"member_id": str(members[i % len(members)]), "minutes": 30, "n": i},
                    )
                    for i in range(start, min(events, start + 500))
                ],
            )
            uow.commit()


def _measure(ctx: Context, backend: str, url: str, mode: str) -> Figure:
    events = 1_000 if ctx.quick else 10_000
    upgrade(url)
    settings = in_process_settings(url, ctx.tmp_dir / f"outbox-{mode}-{backend}")
    settings = settings.model_copy(update={"background_jobs": False})
    container = build_container(settings)
    secret = rules.new_secret()
    tenant_id = uuid.uuid4()
    problems: list[str] = []
    try:
        with _receiver(secret) as base, httpx.Client(timeout=10) as client:
            _seed(container, tenant_id, base, secret, events, mode)
            relay = Relay(
                make_uow=container.uow,
                sender=CloudEventsWebhooks(client),
                sinks={"analytics": LogEventPublisher()},
                sealer=container.sealer,
                concurrency=16,
                batch=1000,
            )
            began = time.perf_counter()
            try:
                for _ in range(1000):
                    relay.run()
                    if not _pending(container):
                        break
            finally:
                relay.close()
            seconds = time.perf_counter() - began
            stats = client.get(f"{base}/stats").json()
            if stats["distinct"] != events:
                problems.append(f"the receiver has {stats['distinct']} of {events} events")
    finally:
        container.dispose()
    return Figure(
        name=NAMES[mode],
        unit="s",
        median=seconds,
        p95=None,
        p99=None,
        bar=BAR if mode == BATCH else PER_REQUEST,
        backend=backend,
        throughput=events / seconds,
        throughput_unit="events/s",
        samples=1,
        duration_s=seconds,
        problems=problems,
        note=f"{events} events of {max(1, events // 10)} members, {mode} mode, "
        f"16 connections, {stats['requests']} requests accepted",
    )


def _pending(container: object) -> int:
    with container.uow() as uow:  # type: ignore[attr-defined]
        return int(
            uow.db.execute(
                select(func.count())
                .select_from(OutboxDelivery)
                .where(OutboxDelivery.state == PENDING)
            ).scalar_one()
        )


@benchmark("outbox.delivery")
def delivery(ctx: Context) -> Iterator[Figure]:
    yield from _each_backend(ctx, STRUCTURED)


@benchmark("outbox.delivery_batch")
def delivery_batch(ctx: Context) -> Iterator[Figure]:
    yield from _each_backend(ctx, BATCH)


def _each_backend(ctx: Context, mode: str) -> Iterator[Figure]:
    sqlite_dir = ctx.tmp_dir / f"outbox-{mode}-sqlite-db"
    sqlite_dir.mkdir(parents=True, exist_ok=True)
    backends = [("sqlite", nullcontext(sqlite_url(sqlite_dir)))]
    if ctx.postgres_url:
        backends.append(("postgresql", fresh_postgres_database(ctx.postgres_url)))  # type: ignore[arg-type]
    for backend, database in backends:
        with database as url:
            yield _measure(ctx, backend, url, mode)
