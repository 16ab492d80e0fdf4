"""corporate.report — a company's participation report: an account of 5,000 employees in
10 departments over 3 locations (4,000 activated), a year of movement (about 240,000
events), 1,000 journeys and 1,500 challenge places; ``GET /corporate/accounts/{id}/
reports/participation`` for the 12 months to this one as the owner, every read computing
and protecting every table afresh. In process through the API, on SQLite and (with a
PostgreSQL URL) on PostgreSQL, loaded with COPY (``server.db.bulk``) and vacuumed."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Table

from .api_read import LOCATION, TENANT
from .core import (
    Bar,
    Context,
    Figure,
    Limit,
    benchmark,
    in_process_settings,
    time_each,
    timed_figure,
)
from .server import fresh_postgres_database, sqlite_url

BAR = Bar(
    text="a 5,000-employee account's report over 12 months: p95 ≤ 500 ms",
    limits=(Limit("p95", "<=", 500.0),),
)


def _complete(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every column with a Python default given, so the rows go by COPY."""
    missing = [c for c in table.columns if c.default is not None and c.key not in rows[0]]
    for row in rows:
        for c in missing:
            default: Any = c.default
            row[c.key] = default.arg(None) if default.is_callable else default.arg
    return rows


def _load(
    container: Any, tenant_id: uuid.UUID, locations: list[uuid.UUID], count: int
) -> uuid.UUID:
    from server.challenges.models import Challenge, ChallengeParticipant
    from server.corporate.models import CorporateAccount, CorporateDepartment, CorporateEmployee
    from server.db.bulk import insert_rows, table_of
    from server.engagement.models import MovementEvent
    from server.journeys.models import JourneyEnrolment, JourneyTemplate, JourneyVersion
    from server.members.models import Member

    rng = random.Random(17)
    now = datetime.now(UTC)
    today = now.date()
    account = uuid.uuid4()
    depts = [uuid.uuid4() for _ in range(10)]
    employees = [uuid.uuid4() for _ in range(count)]
    activated = employees[: count * 4 // 5]
    members = {e: uuid.uuid4() for e in activated}
    template, version, challenge = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def load(db: Any, model: Any, rows: list[dict[str, Any]]) -> None:
        insert_rows(db, model, _complete(table_of(model), rows))

    with container.uow() as uow:
        db = uow.db
        db.add(CorporateAccount(tenant_id=tenant_id, id=account, name="Bench Corp"))
        db.flush()
        for i, d in enumerate(depts):
            db.add(
                CorporateDepartment(tenant_id=tenant_id, id=d, account_id=account, name=f"Dept {i}")
            )
        db.add(
            JourneyTemplate(
                tenant_id=tenant_id, id=template, name="Starter", summary="s", current_version=1
            )
        )
        db.flush()
        db.add(
            JourneyVersion(
                tenant_id=tenant_id,
                id=version,
                template_id=template,
                version=1,
                intensity_ceiling="moderate",
                indications=[],
                contraindications=[],
                plan={"weeks": []},
            )
        )
        db.add(
            Challenge(
                tenant_id=tenant_id,
                id=challenge,
                name="Spring",
                metric="sessions",
                starts_on=today - timedelta(days=100),
                ends_on=today - timedelta(days=70),
            )
        )
        db.flush()
        load(
            db,
            Member,
            [
                {
                    "tenant_id": tenant_id,
                    "id": m,
                    "first_name": "Emp",
                    "last_name": f"B{i}",
                    "search_key": f"b{i} emp",
                    "source": "corporate",
                    "fitness_goals": [],
                    "preferences": {},
                    "created_at": now,
                    "updated_at": now,
                }
                for i, m in enumerate(members.values())
            ],
        )
        load(
            db,
            CorporateEmployee,
            [
                {
                    "tenant_id": tenant_id,
                    "id": e,
                    "account_id": account,
                    "employee_ref": f"E{i}",
                    "work_email": None,
                    "first_name": "Emp",
                    "last_name": f"B{i}",
                    "department_id": depts[i % 10],
                    "location_id": locations[i % 3] if i % 50 else None,
                    "status": "active" if i % 40 else "ended",
                    "covered_until": today - timedelta(days=30) if i % 40 == 0 else None,
                    "member_id": members.get(e),
                    "activated_at": now - timedelta(days=400) if e in members else None,
                    "created_at": now - timedelta(days=500),
                    "updated_at": now,
                }
                for i, e in enumerate(employees)
            ],
        )
        start = today - timedelta(days=365)
        events = []
        for i, m in enumerate(members.values()):
            per_member = rng.choice((0, 20, 60, 100)) if i % 7 else 0
            for _ in range(per_member):
                day = start + timedelta(days=rng.randrange(365))
                events.append(
                    {
                        "tenant_id": tenant_id,
                        "id": uuid.uuid4(),
                        "member_id": m,
                        "kind": "floor_checkin",
                        "occurred_at": datetime.combine(day, time(12), tzinfo=UTC),
                        "location_id": None,
                        "checkin_id": None,
                        "data": {},
                        "minutes": rng.choice((30, 45, 60)),
                        "intensity": rng.choice(("moderate", "vigorous", "low")),
                        "provenance": "scanner_verified",
                        "source": "kiosk",
                        "local_date": day,
                        "zone": "UTC",
                        "session_id": None,
                        "voids": None,
                        "voided_by": None,
                        "is_void": False,
                        "reason": None,
                        "recorded_by": None,
                        "recorded_at": now,
                        "projected_seq": None,
                    }
                )
        load(db, MovementEvent, events)
        chosen = list(members.values())
        load(
            db,
            JourneyEnrolment,
            [
                {
                    "tenant_id": tenant_id,
                    "id": uuid.uuid4(),
                    "member_id": m,
                    "template_id": template,
                    "version_id": version,
                    "status": rng.choice(("active", "completed", "dropped")),
                    "starts_on": today - timedelta(days=rng.randrange(300)),
                    "ended_on": None,
                    "coach_id": None,
                    "enrolled_by_kind": "member",
                    "enrolled_by": None,
                    "adherence": rng.random(),
                    "weeks_met": 0,
                    "habit_point_on": None,
                    "adjustments": {},
                    "created_at": now,
                    "updated_at": now,
                }
                for m in chosen[: len(chosen) // 4]
            ],
        )
        load(
            db,
            ChallengeParticipant,
            [
                {
                    "tenant_id": tenant_id,
                    "id": uuid.uuid4(),
                    "challenge_id": challenge,
                    "member_id": m,
                    "team": None,
                    "zone": "UTC",
                    "joined_at": now - timedelta(days=95),
                    "score": 0,
                    "reached_at": None,
                    "completed_on": None,
                    "buckets": {},
                }
                for m in chosen[1 :: max(1, len(chosen) * 2 // 1500 + 1)]
            ],
        )
        uow.commit()
    return account


def _run(url: str, data_dir: Path, count: int, reads: int, backend: str) -> Figure:
    from server.bootstrap import build_container
    from server.db.migrate import upgrade
    from server.main import create_app

    upgrade(url)
    settings = in_process_settings(url, data_dir)
    container = build_container(settings)
    try:
        with TestClient(create_app(container=container)) as client:
            created = client.post("/tenants", json=TENANT).json()
            owner = {"Authorization": f"Bearer {created['tokens']['access_token']}"}
            locations = []
            for n in range(3):
                made = client.post(
                    "/locations", json={**LOCATION, "name": f"Bench {n}"}, headers=owner
                )
                locations.append(uuid.UUID(made.json()["id"]))
            tenant_id = uuid.UUID(created["tenant"]["id"])
            account = _load(container, tenant_id, locations, count)
            if backend == "postgresql":
                with container.engine.connect() as connection:
                    auto = connection.execution_options(isolation_level="AUTOCOMMIT")
                    for table in (
                        "members",
                        "corporate_employees",
                        "movement_events",
                        "journey_enrolments",
                        "challenge_participants",
                    ):
                        auto.exec_driver_sql(f"VACUUM ANALYZE {table}")
            path = f"/corporate/accounts/{account}/reports/participation"

            def read(_: int) -> int:
                response = client.get(path, headers=owner)
                if response.status_code != 200:
                    raise RuntimeError(f"unexpected report: {response.text[:300]}")
                return int(response.json()["summary"][0]["count"])

            for n in range(3):
                read(n)
            timed = time_each(read, list(range(reads)))
    finally:
        container.dispose()
    expected = count  # the ended rows are covered into the period
    problems = [f"{n} eligible, not {expected}" for n in set(timed.results) if n != expected]
    return timed_figure(
        "corporate.report",
        timed,
        BAR,
        backend=backend,
        problems=problems,
        note=f"an account of {count} employees over 12 months, in process through the API",
    )


@benchmark("corporate.report")
def corporate_report(ctx: Context) -> Iterator[Figure]:
    count, reads = (1000, 10) if ctx.quick else (5000, 40)
    sqlite_dir = ctx.tmp_dir / "sqlite"
    sqlite_dir.mkdir(parents=True)
    yield _run(sqlite_url(sqlite_dir), sqlite_dir, count, reads, "sqlite")
    if ctx.postgres_url:
        with fresh_postgres_database(ctx.postgres_url) as url:
            pg_dir = ctx.tmp_dir / "postgresql"
            pg_dir.mkdir(parents=True)
            yield _run(url, pg_dir, count, reads, "postgresql")
