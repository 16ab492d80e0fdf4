"""engagement.ingest — 20,000 movement events of 2,000 members inserted as a kiosk push
inserts them (``movement_row`` dicts through ``insert_rows``, 500 at a time: a COPY on
PostgreSQL), then projected by the engagement projector (streaks, score, week totals,
tallies, points, badges and challenges per event): events/s end to end and of the
projector alone, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from server.bootstrap import build_container
from server.db.bulk import insert_rows
from server.db.migrate import upgrade
from server.engagement.models import MemberEngagement, MovementEvent
from server.engagement.projection import project_pending
from server.engagement.repository import MemberDays
from server.engagement.service import MovementFacts, movement_row
from server.main import create_app
from server.members.models import Member
from shared.enums import MovementKind
from shared.movement import MovementIntensity
from tests.fakes import RecordingEvents
from tests.integration.helpers import Api

from .core import Bar, Context, Figure, Limit, benchmark, in_process_settings
from .server import fresh_postgres_database, sqlite_url

BAR = Bar(
    text="≥ 2,000 events/s sustained on PostgreSQL (ingest with streak, score and badge updates)",
    limits=(Limit("throughput", ">=", 2000.0),),
)
NO_BAR = Bar(text="measured, no bar (SQLite is the single-site database)", limits=())
PUSH_BATCH = 500


def _figure(name: str, backend: str, events: int, seconds: float, bar: Bar, note: str) -> Figure:
    return Figure(
        name=name,
        unit="s",
        median=seconds,
        p95=None,
        p99=None,
        bar=bar,
        backend=backend,
        throughput=events / seconds,
        throughput_unit="events/s",
        samples=1,
        duration_s=seconds,
        note=note,
    )


def _measure(ctx: Context, backend: str, url: str) -> list[Figure]:
    members_n, events_n = (200, 2_000) if ctx.quick else (2_000, 20_000)
    upgrade(url)
    settings = in_process_settings(url, ctx.tmp_dir / f"engagement-{backend}")
    container = build_container(settings)
    container.events = RecordingEvents()
    try:
        with TestClient(create_app(container=container)) as client:
            api = Api(client)
            tenant = api.sign_up(f"ingest-{backend}")
            api.create_location(tenant, "Osu Studio")
            csv = "first_name,last_name\n" + "".join(
                f"Member,No{i:05d}\n" for i in range(members_n)
            )
            headers = tenant.headers | {"Content-Type": "text/csv"}
            response = client.post("/members/import", content=csv.encode(), headers=headers)
            response.raise_for_status()
        tenant_id = uuid.UUID(tenant.id)
        with container.uow() as uow:
            members = list(
                uow.db.execute(select(Member.id).where(Member.tenant_id == tenant_id)).scalars()
            )
            days = MemberDays(uow.db, tenant_id)
            start = datetime.now(UTC) - timedelta(days=60)
            rows = []
            for n in range(events_n):
                facts = MovementFacts(
                    member_id=members[n % len(members)],
                    kind=MovementKind.FLOOR_CHECKIN,
                    # 10 events a member, spread over 60 days, arriving in id order
                    occurred_at=start + timedelta(days=6 * (n // len(members)), minutes=n % 600),
                    minutes=30 + n % 60,
                    intensity=(MovementIntensity.MODERATE, MovementIntensity.VIGOROUS)[n % 2],
                )
                rows.append({"tenant_id": tenant_id, **movement_row(days, facts)})
        began = time.perf_counter()
        for first in range(0, len(rows), PUSH_BATCH):
            with container.uow() as uow:
                insert_rows(uow.db, MovementEvent, rows[first : first + PUSH_BATCH])
                uow.commit()
        inserted = time.perf_counter()
        projected = project_pending(container.uow, tenant_id, projector=container.projector())
        ended = time.perf_counter()
        with container.read_uow() as uow:
            states = len(
                uow.db.execute(
                    select(MemberEngagement.member_id).where(
                        MemberEngagement.tenant_id == tenant_id
                    )
                ).all()
            )
    finally:
        container.dispose()
    problems = []
    if projected != events_n:
        problems.append(f"projected {projected} of {events_n} events")
    if states != len(members):
        problems.append(f"{states} member states for {len(members)} members")
    shape = f"{events_n} events of {len(members)} members, batches of 2000"
    bar = BAR if backend == "postgresql" else NO_BAR
    figures = [
        _figure("engagement.ingest", backend, events_n, ended - began, bar, f"end to end: {shape}"),
        _figure(
            "engagement.ingest.projector",
            backend,
            events_n,
            ended - inserted,
            bar,
            f"projector alone: {shape}",
        ),
    ]
    for figure in figures:
        figure.problems.extend(problems)
    return figures


@benchmark("engagement.ingest")
def ingest(ctx: Context) -> Iterator[Figure]:
    sqlite_dir = ctx.tmp_dir / "engagement-sqlite-db"
    sqlite_dir.mkdir(parents=True, exist_ok=True)
    backends = [("sqlite", nullcontext(sqlite_url(sqlite_dir)))]
    if ctx.postgres_url:
        backends.append(("postgresql", fresh_postgres_database(ctx.postgres_url)))  # type: ignore[arg-type]
    for backend, database in backends:
        with database as url:
            yield from _measure(ctx, backend, url)
