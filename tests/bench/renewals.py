"""renewals.charge_due — the recurring-billing job charges 10,000 due memberships.

The payments adapter answers each charge in 50 ms (a provider's round trip), so the job has
to charge many at once (a bounded thread pool) and write in batches. One run of the job,
in process, on SQLite and (with a PostgreSQL URL) on PostgreSQL; the figure is the run's
wall time. Every membership must be charged once, recorded as a sale and moved on a month.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from dateutil.relativedelta import relativedelta
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from .api_read import LOCATION, TENANT
from .core import Bar, Context, Figure, Limit, benchmark
from .server import fresh_postgres_database, sqlite_url

RENEWAL_BAR = Bar(
    text="the renewal job charges 10,000 due memberships in ≤ 60 s with a payments adapter "
    "that answers in 50 ms",
    limits=(Limit("median", "<=", 60.0),),
)
PLAN = {
    "name": "Bench monthly",
    "kind": "recurring",
    "billing_period": "month",
    "price": "40.00",
    "currency": "GBP",
}
LATENCY_S = 0.05


def _run(url: str, data_dir: Path, count: int, backend: str) -> Figure:
    from server.bootstrap import build_container
    from server.config import Settings
    from server.db.migrate import upgrade
    from server.main import create_app
    from server.members.models import Member
    from server.plans import renewals
    from server.plans.models import Membership, Sale
    from tests.fakes.payments import FakePayments

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
            plan = client.post("/plans", json=PLAN, headers=headers).json()
        tenant_id = uuid.UUID(created["tenant"]["id"])
        today = datetime.now(UTC).date()
        anchor = today - relativedelta(months=1)
        now = datetime.now(UTC)
        members = [uuid.uuid4() for _ in range(count)]
        with container.uow() as uow:
            uow.db.execute(
                insert(Member),
                [
                    {
                        "tenant_id": tenant_id,
                        "id": m,
                        "first_name": f"Renew{i}",
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
            uow.db.execute(
                insert(Membership),
                [
                    {
                        "tenant_id": tenant_id,
                        "id": uuid.uuid4(),
                        "member_id": m,
                        "plan_id": uuid.UUID(plan["id"]),
                        "status": "active",
                        "starts_on": anchor,
                        "source": "desk",
                        "home_location_id": uuid.UUID(location["id"]),
                        "periods_billed": 1,
                        "next_renewal_on": today,
                        "next_charge_on": today,
                        "failed_charges": 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for m in members
                ],
            )
            uow.commit()
        payments = FakePayments(latency=LATENCY_S)
        started = time.perf_counter()
        run = renewals.renew_due(make_uow=container.uow, payments=payments, today=today)
        elapsed = time.perf_counter() - started
        with container.uow() as uow:
            sales = uow.db.execute(select(func.count()).select_from(Sale)).scalar_one()
            moved = uow.db.execute(
                select(func.count())
                .select_from(Membership)
                .where(Membership.next_renewal_on > today)
            ).scalar_one()
    finally:
        container.dispose()
    problems = [
        f"{what}: {got} of {count}"
        for what, got in (
            ("charged", run.charged),
            ("asked the provider", len(payments.asked)),
            ("sales recorded", sales),
            ("renewals moved on", moved),
        )
        if got != count
    ]
    return Figure(
        name="renewals.charge_due",
        unit="s",
        median=elapsed,
        p95=elapsed,
        p99=elapsed,
        bar=RENEWAL_BAR,
        backend=backend,
        throughput=count / elapsed if elapsed > 0 else None,
        throughput_unit="renewals/s",
        samples=1,
        duration_s=round(elapsed, 3),
        problems=problems,
        note=f"{count} due memberships, payments answer in {LATENCY_S * 1000:.0f} ms, "
        f"{renewals.WORKERS} charging at once, batches of {renewals.BATCH}",
    )


@benchmark("renewals.charge_due")
def charge_due(ctx: Context) -> Iterator[Figure]:
    count = 300 if ctx.quick else 10_000
    yield _run(sqlite_url(ctx.tmp_dir / "sqlite"), ctx.tmp_dir / "sqlite", count, "sqlite")
    if ctx.postgres_url:
        with fresh_postgres_database(ctx.postgres_url) as url:
            yield _run(url, ctx.tmp_dir / "postgresql", count, "postgresql")
