"""journeys.rollup — the weekly roll-up of 10,000 live enrolments against their ledgers.

Each member is five weeks into an eight-week journey with a realistic ledger: three or four
activities a week (classes, a vigorous one now and then, Tiles, an outdoor walk), one in
twenty paused for a week. One full roll-up (one tenant, one transaction) in process, on
SQLite and (with a PostgreSQL URL) on PostgreSQL; the figure is the run's wall time. Every
enrolment must come out with its five weeks written.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from .api_read import LOCATION, TENANT
from .core import Bar, Context, Figure, Limit, benchmark
from .server import fresh_postgres_database, sqlite_url

ROLLUP_BAR = Bar(
    text="one weekly roll-up of 10,000 live enrolments (five weeks of ledger each) in ≤ 10 s",
    limits=(Limit("median", "<=", 10.0),),
)
WEEKS_IN = 5
KINDS = (("attendance", 45, "moderate"), ("attendance", 30, "vigorous"), ("tile", 10, "light"))


def _plan() -> dict[str, Any]:
    from shared.carepath.plans import (
        ActivityKind,
        JourneyPlan,
        PermittedActivity,
        ProgressionKind,
        ProgressionRule,
        WeekTarget,
        to_json,
    )

    return to_json(
        JourneyPlan(
            weeks=tuple(
                WeekTarget(n, minutes=90 + 10 * n, sessions=2, tiles=2) for n in range(1, 9)
            ),
            permitted=(
                PermittedActivity(ActivityKind.SESSION_TYPE),
                PermittedActivity(ActivityKind.TILE),
                PermittedActivity(ActivityKind.OUTDOOR),
            ),
            progression=(
                ProgressionRule(ProgressionKind.RAISE_ON_MET, percent=10, cap=200),
                ProgressionRule(ProgressionKind.HOLD_ON_MISSED, after=2),
            ),
        )
    )


def _seed(container: Any, tenant_id: uuid.UUID, location_id: uuid.UUID, count: int) -> date:
    from server.engagement.models import MovementEvent
    from server.journeys.models import (
        JourneyEnrolment,
        JourneyEnrolmentEvent,
        JourneyTemplate,
        JourneyVersion,
    )
    from server.members.models import Member

    rng = random.Random(16)
    now = datetime.now(UTC)
    today = now.date()
    monday = today - timedelta(days=today.weekday())
    starts = monday - timedelta(weeks=WEEKS_IN - 1)
    template_id, version_id = uuid.uuid4(), uuid.uuid4()
    members = [uuid.uuid4() for _ in range(count)]
    enrolments = [uuid.uuid4() for _ in range(count)]
    with container.uow() as uow:
        db = uow.db
        db.execute(
            insert(JourneyTemplate),
            [
                {
                    "tenant_id": tenant_id,
                    "id": template_id,
                    "name": "8-week Metabolic Reset",
                    "summary": "",
                    "current_version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
        db.execute(
            insert(JourneyVersion),
            [
                {
                    "tenant_id": tenant_id,
                    "id": version_id,
                    "template_id": template_id,
                    "version": 1,
                    "intensity_ceiling": "moderate",
                    "indications": [],
                    "contraindications": [],
                    "plan": _plan(),
                    "created_at": now,
                }
            ],
        )
        db.execute(
            insert(Member),
            [
                {
                    "tenant_id": tenant_id,
                    "id": m,
                    "first_name": f"Journey{i}",
                    "last_name": "Bench",
                    "source": "desk",
                    "fitness_goals": [],
                    "preferences": {},
                    "home_location_id": location_id,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, m in enumerate(members)
            ],
        )
        db.execute(
            insert(JourneyEnrolment),
            [
                {
                    "tenant_id": tenant_id,
                    "id": e,
                    "member_id": m,
                    "template_id": template_id,
                    "version_id": version_id,
                    "status": "active",
                    "starts_on": starts,
                    "enrolled_by_kind": "member",
                    "enrolled_by": m,
                    "adherence": 0.0,
                    "weeks_met": 0,
                    "adjustments": {},
                    "created_at": now,
                    "updated_at": now,
                }
                for e, m in zip(enrolments, members, strict=True)
            ],
        )
        paused = [
            (e, kind, starts + timedelta(weeks=weeks))
            for e in enrolments[::20]
            for kind, weeks in (("paused", 1), ("resumed", 2))
        ]
        db.execute(
            insert(JourneyEnrolmentEvent),
            [
                {
                    "tenant_id": tenant_id,
                    "id": uuid.uuid4(),
                    "enrolment_id": e,
                    "kind": kind,
                    "at": datetime.combine(on, datetime.min.time(), tzinfo=UTC),
                    "by_kind": "member",
                    "reason": "",
                    "detail": {},
                }
                for e, kind, on in paused
            ],
        )
        rows = []
        for m in members:
            for day in range((today - starts).days + 1):
                if rng.random() > 0.5:
                    continue
                kind, minutes, intensity = rng.choice(KINDS)
                on = starts + timedelta(days=day)
                rows.append(
                    {
                        "tenant_id": tenant_id,
                        "id": uuid.uuid4(),
                        "member_id": m,
                        "kind": kind,
                        "occurred_at": datetime.combine(
                            on, datetime.min.time(), tzinfo=UTC
                        ).replace(hour=8),
                        "location_id": location_id,
                        "data": {},
                        "minutes": minutes,
                        "intensity": intensity,
                        "provenance": "scanner_verified",
                        "source": "kiosk",
                        "local_date": on,
                        "zone": "Europe/London",
                        "is_void": False,
                        "recorded_at": now,
                    }
                )
            if len(rows) >= 20_000:
                db.execute(insert(MovementEvent), rows)
                rows = []
        if rows:
            db.execute(insert(MovementEvent), rows)
        uow.commit()
    if container.engine.dialect.name == "postgresql":
        # As a server that has been running has: the planner's statistics of these tables
        # (without them it joins 10,000 enrolments to their members row by row).
        with container.engine.connect() as connection:
            auto = connection.execution_options(isolation_level="AUTOCOMMIT")
            for table in ("members", "journey_enrolments", "journey_versions", "movement_events"):
                auto.exec_driver_sql(f"VACUUM ANALYZE {table}")
    return starts


def _run(url: str, data_dir: Path, count: int, backend: str) -> Figure:
    from server.bootstrap import build_container
    from server.config import Settings
    from server.db.migrate import upgrade
    from server.engagement.models import MovementEvent
    from server.journeys import adherence
    from server.journeys.models import JourneyEnrolmentWeek
    from server.main import create_app

    upgrade(url)
    settings = Settings(
        data_dir=data_dir,
        database_url=url,
        secret_key="bench-secret-key-for-signing-tokens-0123456789",
        background_jobs=False,
    )
    container = build_container(settings)
    try:
        with TestClient(create_app(container=container)) as client:
            created = client.post("/tenants", json=TENANT).json()
            headers = {"Authorization": f"Bearer {created['tokens']['access_token']}"}
            location = client.post("/locations", json=LOCATION, headers=headers).json()
        tenant_id = uuid.UUID(created["tenant"]["id"])
        _seed(container, tenant_id, uuid.UUID(location["id"]), count)
        started = time.perf_counter()
        with container.uow() as uow:
            published = adherence.rollup_tenant(uow, tenant_id, datetime.now(UTC))
        elapsed = time.perf_counter() - started
        with container.uow() as uow:
            weeks = uow.db.execute(
                select(func.count()).select_from(JourneyEnrolmentWeek)
            ).scalar_one()
            ledger = uow.db.execute(select(func.count()).select_from(MovementEvent)).scalar_one()
    finally:
        container.dispose()
    problems = [] if weeks == count * WEEKS_IN else [f"weeks written: {weeks}"]
    return Figure(
        name="journeys.rollup",
        unit="s",
        median=elapsed,
        p95=elapsed,
        p99=elapsed,
        bar=ROLLUP_BAR,
        backend=backend,
        throughput=count / elapsed if elapsed > 0 else None,
        throughput_unit="enrolments/s",
        samples=1,
        duration_s=round(elapsed, 3),
        problems=problems,
        note=f"{count} enrolments, {ledger} ledger rows, {weeks} weeks written, "
        f"{len(published)} events published",
    )


@benchmark("journeys.rollup")
def rollup(ctx: Context) -> Iterator[Figure]:
    count = 300 if ctx.quick else 10_000
    yield _run(sqlite_url(ctx.tmp_dir / "sqlite"), ctx.tmp_dir / "sqlite", count, "sqlite")
    if ctx.postgres_url:
        with fresh_postgres_database(ctx.postgres_url) as url:
            yield _run(url, ctx.tmp_dir / "postgresql", count, "postgresql")
