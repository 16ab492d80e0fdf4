"""migration_in.import — another system's export of 10,000 members with their memberships
and a year of class history (≈ 100,000 bookings with attendance) imported file by file.

In process, through the service (no HTTP), on SQLite and (with a PostgreSQL URL) on
PostgreSQL. The figure is all the files' rows over the wall time of the five imports; a
second run of the same files must report every row unchanged.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from .api_read import LOCATION, TENANT
from .core import Bar, Context, Figure, Limit, benchmark
from .server import fresh_postgres_database, sqlite_url

BAR = Bar(
    text="import of 10,000 members with memberships and a year of booking history "
    "≥ 2,000 rows/s on PostgreSQL",
    limits=(Limit("throughput", ">=", 2000.0),),
)
PLAN = {
    "name": "Legacy monthly",
    "kind": "recurring",
    "billing_period": "month",
    "price": "40.00",
    "currency": "GBP",
}
SOURCE = "OldGymSystem"
TYPES = 12
SESSIONS_A_DAY = 12
CAPACITY = 40


def files(members: int, days: int, bookings: int) -> list[tuple[str, str, dict[str, str]]]:
    """(entity, CSV text, mapping) in the order they must be imported."""
    rng = random.Random(17)
    start = date.today() - timedelta(days=days)
    people = ["MemberID;Forename;Surname;E-mail;Mobile;DOB"] + [
        f"M{i};Name{i};Family{i % 977};m{i}@old.example;+44 7700 {i:06d};"
        f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1960 + i % 40}"
        for i in range(members)
    ]
    plans = ["ContractID;MemberID;Product;Start;End"] + [
        f"K{i};M{i};Legacy monthly;{(start + timedelta(days=i % days)).strftime('%d/%m/%Y')};"
        for i in range(members)
    ]
    kinds = ["TypeID;Name;Duration;Spaces"] + [
        f"T{i};Class {i};{45 + 15 * (i % 3)};{CAPACITY}" for i in range(TYPES)
    ]
    sessions = ["SessionID;TypeID;Date;Time"]
    for d in range(days):
        day = (start + timedelta(days=d)).strftime("%d/%m/%Y")
        sessions += [f"S{d}-{s};T{(d + s) % TYPES};{day};{6 + s}:00" for s in range(SESSIONS_A_DAY)]
    count = days * SESSIONS_A_DAY
    history = ["BookingID;MemberID;SessionID;Status;Attended"]
    booked: dict[int, set[int]] = {}
    made = 0
    while made < bookings:
        session = rng.randrange(count)
        taken = booked.setdefault(session, set())
        member = rng.randrange(members)
        if member in taken or len(taken) >= CAPACITY - 5:
            continue
        taken.add(member)
        d, s = divmod(session, SESSIONS_A_DAY)
        status, attended = rng.choice(
            [("booked", "yes"), ("booked", "yes"), ("booked", "no"), ("cancelled", "")]
        )
        history.append(f"B{made};M{member};S{d}-{s};{status};{attended}")
        made += 1
    return [
        (
            "members",
            "\n".join(people),
            {
                "MemberID": "external_id",
                "Forename": "first_name",
                "Surname": "last_name",
                "E-mail": "email",
                "Mobile": "phone",
                "DOB": "date_of_birth",
            },
        ),
        (
            "class_types",
            "\n".join(kinds),
            {
                "TypeID": "external_id",
                "Name": "name",
                "Duration": "duration_minutes",
                "Spaces": "capacity",
            },
        ),
        (
            "sessions",
            "\n".join(sessions),
            {
                "SessionID": "external_id",
                "TypeID": "class_type",
                "Date": "date",
                "Time": "start_time",
            },
        ),
        (
            "memberships",
            "\n".join(plans),
            {
                "ContractID": "external_id",
                "MemberID": "member",
                "Product": "plan",
                "Start": "starts_on",
                "End": "ends_on",
            },
        ),
        (
            "bookings",
            "\n".join(history),
            {
                "BookingID": "external_id",
                "MemberID": "member",
                "SessionID": "session",
                "Status": "status",
                "Attended": "attendance",
            },
        ),
    ]


def _run(url: str, data_dir: Path, quick: bool, backend: str) -> Figure:
    from server.bootstrap import build_container
    from server.config import Settings
    from server.db.migrate import upgrade
    from server.main import create_app
    from server.migration_in import service
    from server.ports.identity import AccessClaims
    from shared.enums import PrincipalKind, StaffRole

    upgrade(url)
    settings = Settings(
        data_dir=data_dir,
        database_url=url,
        secret_key="bench-secret-key-for-signing-tokens-0123456789",
        background_jobs=False,
    )
    container = build_container(settings)
    sizes = (300, 30, 3_000) if quick else (10_000, 365, 100_000)
    to_import = files(*sizes)
    rows = sum(text.count("\n") for _, text, _ in to_import)
    try:
        with TestClient(create_app(container=container)) as client:
            created = client.post("/tenants", json=TENANT).json()
            headers = {"Authorization": f"Bearer {created['tokens']['access_token']}"}
            client.post("/locations", json=LOCATION, headers=headers)
            client.post("/plans", json=PLAN, headers=headers)
        claims = AccessClaims(
            kind=PrincipalKind.STAFF,
            subject_id=uuid.uuid4(),
            tenant_id=uuid.UUID(created["tenant"]["id"]),
            role=StaffRole.OWNER,
            expires_at=datetime.now(UTC) + timedelta(hours=1),
        )
        problems: list[str] = []
        timings: list[str] = []

        def everything(expect: str) -> float:
            started = time.perf_counter()
            for entity, text, mapping in to_import:
                began = time.perf_counter()
                report = service.import_file(
                    uow=container.uow(),
                    claims=claims,
                    entity=entity,
                    source=SOURCE,
                    data=text.encode(),
                    mapping=mapping,
                    date_format="dmy",
                    dry_run=False,
                )
                lines = text.count("\n")
                if not report.applied or report.counts.model_dump()[expect] != lines:
                    problems.append(f"{entity} ({expect}): {report.counts}")
                if expect == "created":
                    timings.append(f"{entity} {lines} in {time.perf_counter() - began:.1f} s")
            return time.perf_counter() - started

        cpu = time.process_time()
        elapsed = everything("created")
        cpu = time.process_time() - cpu
        again = everything("unchanged")
    finally:
        container.dispose()
    return Figure(
        name="migration_in.import",
        unit="s",
        median=elapsed,
        p95=elapsed,
        p99=elapsed,
        bar=BAR,
        backend=backend,
        throughput=rows / elapsed if elapsed > 0 else None,
        throughput_unit="rows/s",
        samples=1,
        duration_s=round(elapsed, 3),
        problems=problems,
        note=f"{rows} rows in five files ({'; '.join(timings)}); the importing process used "
        f"{cpu:.1f} s of CPU ({rows / cpu:,.0f} rows per CPU second); the second run (all "
        f"unchanged) took {again:.1f} s",
    )


@benchmark("migration_in.import")
def import_files(ctx: Context) -> Iterator[Figure]:
    yield _run(sqlite_url(ctx.tmp_dir / "sqlite"), ctx.tmp_dir / "sqlite", ctx.quick, "sqlite")
    if ctx.postgres_url:
        with fresh_postgres_database(ctx.postgres_url) as url:
            yield _run(url, ctx.tmp_dir / "postgresql", ctx.quick, "postgresql")
