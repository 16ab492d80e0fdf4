"""engagement.leaderboard — a 10,000-member challenge's board: the first page and the
reading member's own line (one ``GET /challenges/{id}/leaderboard`` as a member), ranked in
SQL on every read. In process through the API, on SQLite and (with a PostgreSQL URL) on
PostgreSQL; each sample is one request, as a different member each time. On PostgreSQL the
table is vacuumed after the bulk load, as autovacuum would."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert

from .api_read import LOCATION, TENANT
from .core import Bar, Context, Figure, Limit, benchmark, time_each, timed_figure
from .server import fresh_postgres_database, sqlite_url

BAR = Bar(
    text="a 10,000-member challenge's first page and own line: p95 ≤ 50 ms",
    limits=(Limit("p95", "<=", 50.0),),
)


def _run(url: str, data_dir: Path, count: int, reads: int, backend: str) -> Figure:
    from server.bootstrap import build_container
    from server.challenges.models import ChallengeParticipant
    from server.config import Settings
    from server.db.migrate import upgrade
    from server.main import create_app
    from server.members.models import Member
    from server.ports.identity import AccessClaims
    from shared.enums import PrincipalKind

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
            client.post("/locations", json=LOCATION, headers=headers)
            today = datetime.now(UTC).date()
            challenge = client.post(
                "/challenges",
                json={
                    "name": "Bench month",
                    "metric": "sessions",
                    "starts_on": (today - timedelta(days=20)).isoformat(),
                    "ends_on": (today + timedelta(days=10)).isoformat(),
                },
                headers=headers,
            ).json()
            tenant_id = uuid.UUID(created["tenant"]["id"])
            challenge_id = uuid.UUID(challenge["id"])
            now = datetime.now(UTC)
            rng = random.Random(15)
            members = [uuid.uuid4() for _ in range(count)]
            with container.uow() as uow:
                uow.db.execute(
                    insert(Member),
                    [
                        {
                            "tenant_id": tenant_id,
                            "id": m,
                            "first_name": f"Board{i}",
                            "last_name": "Bench",
                            "source": "desk",
                            "fitness_goals": [],
                            "preferences": {},
                            "created_at": now,
                            "updated_at": now,
                        }
                        for i, m in enumerate(members)
                    ],
                )
                # Scores 0–40 (many ties), reach times to the minute (ties within ties).
                rows: list[dict[str, object]] = []
                for m in members:
                    score = rng.randint(0, 40)
                    reached = None if score == 0 else now - timedelta(minutes=rng.randint(0, 600))
                    rows.append(
                        {
                            "tenant_id": tenant_id,
                            "id": uuid.uuid4(),
                            "challenge_id": challenge_id,
                            "member_id": m,
                            "team": None,
                            "zone": "Europe/London",
                            "joined_at": now,
                            "score": score,
                            "reached_at": reached,
                            "completed_on": None,
                            "buckets": {},
                        }
                    )
                uow.db.execute(insert(ChallengeParticipant), rows)
                uow.commit()
            if backend == "postgresql":
                # What autovacuum does soon after a bulk load: statistics, and the visibility
                # map that lets counts read the index alone.
                with container.engine.connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                        "VACUUM ANALYZE challenge_participants"
                    )
            readers = [members[rng.randrange(count)] for _ in range(reads)]
            tokens = {
                m: container.identity.issue_access_token(
                    AccessClaims(kind=PrincipalKind.MEMBER, subject_id=m, tenant_id=tenant_id),
                    3600,
                )[0]
                for m in set(readers)
            }
            path = f"/challenges/{challenge_id}/leaderboard"

            def read(member: uuid.UUID) -> int:
                response = client.get(
                    path,
                    params={"limit": 50},
                    headers={"Authorization": f"Bearer {tokens[member]}"},
                )
                body = response.json()
                if response.status_code != 200 or body["mine"] is None or len(body["items"]) != 50:
                    raise RuntimeError(f"unexpected board answer: {response.text[:300]}")
                return int(body["participants"])

            for member in readers[:5]:  # warm up the connection pool and the query plans
                read(member)
            timed = time_each(read, readers)
    finally:
        container.dispose()
    problems = [f"board counted {n} of {count}" for n in set(timed.results) if n != count]
    return timed_figure(
        "engagement.leaderboard",
        timed,
        BAR,
        backend=backend,
        problems=problems,
        note=f"{count} participants, first page of 50 plus the member's own line, "
        "in process through the API",
    )


@benchmark("engagement.leaderboard")
def leaderboard(ctx: Context) -> Iterator[Figure]:
    count, reads = (500, 20) if ctx.quick else (10_000, 200)
    sqlite_dir = ctx.tmp_dir / "sqlite"
    sqlite_dir.mkdir(parents=True)
    yield _run(sqlite_url(sqlite_dir), sqlite_dir, count, reads, "sqlite")
    if ctx.postgres_url:
        with fresh_postgres_database(ctx.postgres_url) as url:
            pg_dir = ctx.tmp_dir / "postgresql"
            pg_dir.mkdir(parents=True)
            yield _run(url, pg_dir, count, reads, "postgresql")
