"""web.engagement — the member app's Progress page (``GET /app/progress``) for a member with
three years of movement: about 1,300 ledger events of five kinds, a weekly goal, points and
badges, projected before the reads. Each sample is one page, rendered in process through
the app with the member's web session: the projection's read (nothing pending), 12 weeks
of history by kind and time of day, and the first page of recent events. On SQLite and
(with a PostgreSQL URL) on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert, update

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
    text="a member's Progress page with 3 years of history: p95 ≤ 100 ms",
    limits=(Limit("p95", "<=", 100.0),),
)
YEARS = 3


def _run(url: str, data_dir: Path, reads: int, backend: str) -> Figure:
    from server.bootstrap import build_container
    from server.db.migrate import upgrade
    from server.engagement.models import MovementEvent
    from server.engagement.projection import project_pending
    from server.engagement.repository import MemberDays
    from server.engagement.service import MovementFacts, movement_row
    from server.main import create_app
    from server.members.models import Member
    from shared.clock import utcnow
    from shared.enums import MovementKind
    from shared.movement import MovementIntensity, Provenance
    from tests.integration.web_helpers import WEB_PASSWORD, member_signs_in

    upgrade(url)
    settings = in_process_settings(url, data_dir)
    container = build_container(settings)
    events = 0
    try:
        with TestClient(create_app(container=container)) as client:
            created = client.post("/tenants", json=TENANT).json()
            headers = {"Authorization": f"Bearer {created['tokens']['access_token']}"}
            location = client.post("/locations", json=LOCATION, headers=headers).json()
            email = "ama@bench.example"
            member = client.post(
                "/members",
                json={
                    "first_name": "Ama",
                    "last_name": "Bench",
                    "email": email,
                    "home_location_id": location["id"],
                },
                headers=headers,
            ).json()
            tenant_id, member_id = uuid.UUID(created["tenant"]["id"]), uuid.UUID(member["id"])
            with container.uow() as uow:
                uow.db.execute(
                    update(Member)
                    .where(Member.id == member_id)
                    .values(
                        password_hash=container.identity.hash_password(WEB_PASSWORD),
                        email_verified_at=utcnow(),
                    )
                )
                days = MemberDays(uow.db, tenant_id)
                now = datetime.now(UTC)
                start = now - timedelta(days=365 * YEARS)
                kinds = (
                    (MovementKind.FLOOR_CHECKIN, Provenance.SCANNER_VERIFIED, 7),
                    (MovementKind.ATTENDANCE, Provenance.SCANNER_VERIFIED, 18),
                    (MovementKind.OUTDOOR, Provenance.STAFF_RECORDED, 9),
                    (MovementKind.TILE, Provenance.SELF_REPORTED, 12),
                    (MovementKind.SELF_REPORT, Provenance.SELF_REPORTED, 20),
                )
                rows = []
                # Oldest first, as the door stores them: most days one or two events.
                for day in range(365 * YEARS):
                    for n, (kind, provenance, hour) in enumerate(kinds):
                        if (day * 7 + n * 3) % 11 < 3:
                            facts = MovementFacts(
                                member_id=member_id,
                                kind=kind,
                                occurred_at=start + timedelta(days=day, hours=hour),
                                minutes=10 if kind is MovementKind.TILE else 30 + day % 40,
                                intensity=(MovementIntensity.MODERATE, MovementIntensity.VIGOROUS)[
                                    day % 2
                                ],
                                provenance=provenance,
                            )
                            rows.append({"tenant_id": tenant_id, **movement_row(days, facts)})
                uow.db.execute(insert(MovementEvent), rows)
                uow.commit()
            events = len(rows)
            project_pending(
                container.uow,
                tenant_id,
                projector=container.projector(),
                limit=2000,
            )
            if member_signs_in(client, str(TENANT["slug"]), email).status_code != 303:
                raise RuntimeError("the bench member could not sign in")

            def read(_: int) -> int:
                response = client.get("/app/progress")
                if response.status_code != 200 or 'data-field="score"' not in response.text:
                    raise RuntimeError(f"unexpected page: {response.status_code}")
                return len(response.text)

            for n in range(5):  # warm up the connection pool and the templates
                read(n)
            timed = time_each(read, range(reads))
    finally:
        container.dispose()
    return timed_figure(
        "web.engagement",
        timed,
        BAR,
        backend=backend,
        note=f"GET /app/progress, {events} events over {YEARS} years, in process",
    )


@benchmark("web.engagement")
def web_engagement(ctx: Context) -> Iterator[Figure]:
    reads = 20 if ctx.quick else 200
    sqlite_dir = ctx.tmp_dir / "sqlite"
    sqlite_dir.mkdir(parents=True)
    yield _run(sqlite_url(sqlite_dir), sqlite_dir, reads, "sqlite")
    if ctx.postgres_url:
        with fresh_postgres_database(ctx.postgres_url) as url:
            pg_dir = ctx.tmp_dir / "postgresql"
            pg_dir.mkdir(parents=True)
            yield _run(url, pg_dir, reads, "postgresql")
