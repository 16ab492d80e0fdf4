"""archive.export — a tenant's whole archive: 10,000 members and three years of movement
events (about 150 each, ≈ 1.5 million rows), written by ``zmos archive export`` on
PostgreSQL.

The rows are seeded with COPY (``server.db.bulk``); the export runs as its own process (the
command line an operator uses), so its peak RSS (``resource.getrusage`` of the child) is
the export's memory alone, not the seeding's. The archive is then opened and its manifest's
row counts checked against the database.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from .api_read import LOCATION, TENANT
from .core import Bar, Context, Figure, Limit, benchmark
from .server import fresh_postgres_database

EXPORT_BAR = Bar(
    text="a tenant export of 10,000 members and 3 years of events in ≤ 60 s, "
    "streamed (peak memory < 500 MB)",
    limits=(Limit("median", "<=", 60.0),),
)
MEMORY_MB = 500
EVENTS_PER_MEMBER = 150
DAYS = 3 * 365
_BATCH = 50_000
KINDS = (("attendance", 45, "moderate"), ("attendance", 30, "vigorous"), ("tile", 10, "light"))


def _seed(container: Any, tenant_id: uuid.UUID, location_id: uuid.UUID, members: int) -> int:
    from server.db.bulk import insert_rows
    from server.engagement.models import MovementEvent
    from server.members.models import Member

    rng = random.Random(17)
    now = datetime.now(UTC)
    first_day = now - timedelta(days=DAYS)
    ids = [uuid.uuid4() for _ in range(members)]
    with container.uow() as uow:
        insert_rows(
            uow.db,
            Member,
            [
                {
                    "tenant_id": tenant_id,
                    "id": m,
                    "first_name": f"Member{i}",
                    "last_name": "Bench",
                    "email": f"m{i}@bench.example",
                    "source": "import",
                    "home_location_id": location_id,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, m in enumerate(ids)
            ],
        )
        uow.commit()
    written = 0
    rows: list[dict[str, Any]] = []
    for m in ids:
        for _ in range(EVENTS_PER_MEMBER):
            kind, minutes, intensity = rng.choice(KINDS)
            at = first_day + timedelta(seconds=rng.randrange(DAYS * 86400))
            rows.append(
                {
                    "tenant_id": tenant_id,
                    "id": uuid.uuid4(),
                    "member_id": m,
                    "kind": kind,
                    "occurred_at": at,
                    "location_id": location_id,
                    "data": {},
                    "minutes": minutes,
                    "intensity": intensity,
                    "provenance": "scanner_verified",
                    "source": "kiosk",
                    "local_date": at.date(),
                    "zone": "Europe/London",
                    "is_void": False,
                    "recorded_at": at,
                }
            )
        if len(rows) >= _BATCH:
            with container.uow() as uow:
                insert_rows(uow.db, MovementEvent, rows)
                uow.commit()
            written += len(rows)
            rows = []
    if rows:
        with container.uow() as uow:
            insert_rows(uow.db, MovementEvent, rows)
            uow.commit()
        written += len(rows)
    with container.engine.connect() as connection:
        auto = connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("members", "movement_events"):
            auto.exec_driver_sql(f"VACUUM ANALYZE {table}")
    return written


def _export(url: str, data_dir: Path, out: Path) -> tuple[float, float, float]:
    """(seconds, the child's peak RSS in MB, its CPU seconds) of ``zmos archive export``
    (CPU time tells the export's own work from waiting on a busy machine)."""
    env = {
        **os.environ,
        "ZMOS_DATABASE_URL": url,
        "ZMOS_DATA_DIR": str(data_dir),
        "ZMOS_SECRET_KEY": "bench-secret-key-for-signing-tokens-0123456789",
    }
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "zmos.cli",
            "archive",
            "export",
            "--tenant",
            str(TENANT["slug"]),
            "--out",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kib, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu_before
    if done.returncode != 0:
        raise RuntimeError(f"zmos archive export failed: {done.stderr[-2000:]}")
    # ru_maxrss of children is the largest child's so far: this child's if it is larger.
    peak_mb = max(peak_kib, before) / 1024
    return elapsed, peak_mb, cpu


def _run(url: str, data_dir: Path, members: int) -> Figure:
    from server.bootstrap import build_container
    from server.config import Settings
    from server.db.migrate import upgrade
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
        events = _seed(
            container, uuid.UUID(created["tenant"]["id"]), uuid.UUID(location["id"]), members
        )
    finally:
        container.dispose()
    out = data_dir / "archive.zip"
    elapsed, peak_mb, cpu = _export(url, data_dir, out)
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    counts = {e["name"]: e["rows"] for e in manifest["entities"]}
    problems = []
    if counts.get("members") != members or counts.get("movement_events") != events:
        problems.append(
            f"rows in the archive: {counts.get('members')}, {counts.get('movement_events')}"
        )
    if peak_mb >= MEMORY_MB:
        problems.append(f"peak RSS {peak_mb:.0f} MB ≥ {MEMORY_MB} MB")
    size_mb = out.stat().st_size / 1e6
    return Figure(
        name="archive.export",
        unit="s",
        median=elapsed,
        p95=elapsed,
        p99=elapsed,
        bar=EXPORT_BAR,
        backend="postgresql",
        throughput=(members + events) / elapsed if elapsed > 0 else None,
        throughput_unit="rows/s",
        samples=1,
        duration_s=round(elapsed, 3),
        problems=problems,
        note=f"{members} members, {events} movement events; peak RSS {peak_mb:.0f} MB; "
        f"export CPU {cpu:.1f} s; "
        f"archive {size_mb:.0f} MB",
    )


@benchmark("archive.export")
def export(ctx: Context) -> Iterator[Figure]:
    if not ctx.postgres_url:
        raise RuntimeError("archive.export runs on PostgreSQL: give ZMOS_TEST_POSTGRES_URL")
    members = 200 if ctx.quick else 10_000
    with fresh_postgres_database(ctx.postgres_url) as url:
        yield _run(url, ctx.tmp_dir, members)
