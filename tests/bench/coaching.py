"""coaching.members — a coach's list: a coach with 500 members (400 they lead and 150 on
their live journeys, 50 of those both) in a tenant of 5,000 with ten other coaches,
engagement rows for 95% of members, 1,150 enrolments and 5,000 contacts; the first page (50) of
``GET /coaching/members`` as the coach, slipping first, on every read. In process through
the API, on SQLite and (with a PostgreSQL URL) on PostgreSQL, vacuumed after the load."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert

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
    text="a coach's first page of 500 members in a tenant of 5,000: p95 ≤ 100 ms",
    limits=(Limit("p95", "<=", 100.0),),
)
COACH_PASSWORD = "correct horse battery staple"


def _load(container: Any, tenant_id: uuid.UUID, coaches: list[uuid.UUID], count: int) -> None:
    from server.coaching.models import CoachAssignment, CoachContact
    from server.engagement.models import MemberEngagement
    from server.journeys.models import JourneyEnrolment, JourneyTemplate, JourneyVersion
    from server.members.models import Member

    now = datetime.now(UTC)
    today = now.date()
    rng = random.Random(16)
    members = [uuid.uuid4() for _ in range(count)]
    template, version = uuid.uuid4(), uuid.uuid4()
    with container.uow() as uow:
        db = uow.db
        db.execute(
            insert(Member),
            [
                {
                    "tenant_id": tenant_id,
                    "id": m,
                    "first_name": f"Coached{i}",
                    "last_name": f"Bench{i % 97}",
                    "source": "desk",
                    "fitness_goals": [],
                    "preferences": {},
                    "created_at": now,
                    "updated_at": now,
                }
                for i, m in enumerate(members)
            ],
        )
        db.execute(
            insert(MemberEngagement),
            [
                {
                    "tenant_id": tenant_id,
                    "member_id": m,
                    "state": {},
                    "score": rng.random(),
                    "weekly_current": rng.randint(0, 12),
                    "daily_current": rng.randint(0, 5),
                    "last_active_on": today - timedelta(days=rng.randint(0, 40)),
                    "updated_at": now,
                }
                for m in members
                if rng.random() < 0.95
            ],
        )
        # Member i is led by coach i % 10 (450 or 500 each); the measured coach is coaches[0]
        # and leads every tenth member of the first 4,000 (400).
        db.execute(
            insert(CoachAssignment),
            [
                {
                    "tenant_id": tenant_id,
                    "member_id": m,
                    "coach_id": coaches[(i % 10) if i < 4000 else 1 + i % 10],
                    "since": now,
                    "assigned_by": None,
                }
                for i, m in enumerate(members)
            ],
        )
        db.add(JourneyTemplate(tenant_id=tenant_id, id=template, name="Bench journey"))
        db.flush()
        db.add(
            JourneyVersion(
                tenant_id=tenant_id,
                id=version,
                template_id=template,
                version=1,
                intensity_ceiling="moderate",
                plan={},
            )
        )
        db.flush()
        # Journeys: 100 more members for the measured coach (50 they lead anyway, 100 not),
        # and 1,000 enrolments with other coaches or ended.
        theirs = [members[i] for i in range(0, 500, 10)] + [members[i] for i in range(1, 1000, 10)]
        # One live enrolment per member and journey (the database holds to it).
        taken = set(theirs)
        pool = [m for m in members if m not in taken]
        others = rng.sample(pool, min(1000, len(pool)))
        enrolments = [(m, coaches[0], "active") for m in theirs] + [
            (m, coaches[rng.randint(1, 10)], rng.choice(["active", "completed", "paused"]))
            for m in others
        ]
        db.execute(
            insert(JourneyEnrolment),
            [
                {
                    "tenant_id": tenant_id,
                    "id": uuid.uuid4(),
                    "member_id": m,
                    "template_id": template,
                    "version_id": version,
                    "status": status,
                    "starts_on": date(2026, 11, 2),
                    "coach_id": coach,
                    "enrolled_by_kind": "staff",
                    "adherence": rng.random(),
                    "weeks_met": 0,
                    "adjustments": {},
                    "created_at": now,
                    "updated_at": now,
                }
                for m, coach, status in enrolments
            ],
        )
        db.execute(
            insert(CoachContact),
            [
                {
                    "tenant_id": tenant_id,
                    "id": uuid.uuid4(),
                    "member_id": rng.choice(members),
                    "coach_id": coaches[rng.randint(0, 10)],
                    "kind": "note",
                    "at": now - timedelta(minutes=rng.randint(0, 60 * 24 * 60)),
                    "sealed_text": os.urandom(60),
                }
                for _ in range(5000)
            ],
        )
        uow.commit()


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
            client.post("/locations", json=LOCATION, headers=owner)
            coaches = []
            for n in range(11):
                made = client.post(
                    "/staff",
                    json={
                        "name": f"Coach {n}",
                        "email": f"coach{n}@bench.example",
                        "role": "coach",
                        "password": COACH_PASSWORD,
                    },
                    headers=owner,
                )
                coaches.append(uuid.UUID(made.json()["id"]))
            tenant_id = uuid.UUID(created["tenant"]["id"])
            _load(container, tenant_id, coaches, count)
            if backend == "postgresql":
                with container.engine.connect() as connection:
                    auto = connection.execution_options(isolation_level="AUTOCOMMIT")
                    for table in (
                        "members",
                        "member_engagement",
                        "coach_assignments",
                        "journey_enrolments",
                        "coach_contacts",
                    ):
                        auto.exec_driver_sql(f"VACUUM ANALYZE {table}")
            login = client.post(
                "/auth/login",
                json={
                    "tenant": TENANT["slug"],
                    "email": "coach0@bench.example",
                    "password": COACH_PASSWORD,
                },
            )
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}

            def read(_: int) -> int:
                response = client.get("/coaching/members", params={"limit": 50}, headers=headers)
                body = response.json()
                if response.status_code != 200 or len(body["items"]) != 50:
                    raise RuntimeError(f"unexpected list: {response.text[:300]}")
                if not body["items"][0]["slipping"]:
                    raise RuntimeError("the first member is not slipping")
                return int(body["total"])

            for n in range(5):  # warm up the connection pool and the query plans
                read(n)
            timed = time_each(read, list(range(reads)))
    finally:
        container.dispose()
    expected = 500 if count == 5000 else None
    problems = [
        f"the coach has {n} members, not {expected}"
        for n in set(timed.results)
        if expected is not None and n != expected
    ]
    return timed_figure(
        "coaching.members",
        timed,
        BAR,
        backend=backend,
        problems=problems,
        note=f"a coach's 500 of {count} members, first page of 50, in process through the API",
    )


@benchmark("coaching.members")
def coaching_members(ctx: Context) -> Iterator[Figure]:
    count, reads = (1000, 20) if ctx.quick else (5000, 200)
    sqlite_dir = ctx.tmp_dir / "sqlite"
    sqlite_dir.mkdir(parents=True)
    yield _run(sqlite_url(sqlite_dir), sqlite_dir, count, reads, "sqlite")
    if ctx.postgres_url:
        with fresh_postgres_database(ctx.postgres_url) as url:
            pg_dir = ctx.tmp_dir / "postgresql"
            pg_dir.mkdir(parents=True)
            yield _run(url, pg_dir, count, reads, "postgresql")
