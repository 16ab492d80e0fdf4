"""sales.list and reports.revenue — ``GET /sales`` and ``GET /reports/revenue`` for a tenant
with 10,000 members and a year of sales (≈150,000 rows, 3 % refunded), wrk against a real
``zmos server`` on PostgreSQL. The rows are written straight into the database: the
benchmark measures reading the ledger, not selling."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import create_engine, insert

from server.members.models import Member
from server.plans.models import ReceiptCounter, RevenueDay, Sale
from server.sales.models import Refund
from shared.ids import new_id

from . import wrk
from .api_read import TENANT, _expect
from .core import Bar, Context, Figure, Limit, benchmark
from .server import fresh_postgres_database, zmos_server

BAR = Bar(text="p95 ≤ 200 ms (PostgreSQL, 10 connections)", limits=(Limit("p95", "<=", 200.0),))
MEMBERS = 10_000
SALES = 150_000
CONNECTIONS = 10
LOCATIONS = (
    ("London", "Europe/London", "GBP"),
    ("Accra", "Africa/Accra", "GHS"),
    ("Kumasi", "Africa/Accra", None),
)
PLANS = (
    ("Monthly", "recurring", "45.00", "GBP"),
    ("Monthly cedi", "recurring", "300.00", "GHS"),
    ("10 classes", "class_pack", "90.00", "GBP"),
    ("Day pass", "day_pass", "12.50", "GBP"),
    ("Day pass cedi", "day_pass", "80.00", "GHS"),
)


def _seed_api(client: httpx.Client) -> tuple[dict[str, str], uuid.UUID, list[Any], list[Any]]:
    created = _expect(client.post("/tenants", json=TENANT), 201, "POST /tenants")
    tokens: Any = created["tokens"]
    tenant: Any = created["tenant"]
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    locations = []
    for name, zone, currency in LOCATIONS:
        place = {"name": name, "timezone": zone, "currency": currency}
        locations.append(
            _expect(client.post("/locations", json=place, headers=headers), 201, "POST /locations")
        )
    plans = []
    for name, kind, price, currency in PLANS:
        body: dict[str, Any] = {"name": name, "kind": kind, "price": price, "currency": currency}
        if kind == "recurring":
            body["billing_period"] = "month"
        if kind == "class_pack":
            body.update(credits=10, validity_days=90)
        plans.append(_expect(client.post("/plans", json=body, headers=headers), 201, "POST /plans"))
    return headers, uuid.UUID(str(tenant["id"])), locations, plans


def _seed_rows(
    database_url: str, tenant_id: uuid.UUID, locations: list[Any], plans: list[Any]
) -> None:
    rng = random.Random(13)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    members = [new_id() for _ in range(MEMBERS)]
    member_rows = [
        {
            "tenant_id": tenant_id,
            "id": m,
            "first_name": f"Member{i}",
            "last_name": "Bench",
            "source": "import",
            "fitness_goals": [],
            "preferences": {},
            "token_generation": 0,
        }
        for i, m in enumerate(members)
    ]
    sales, refunds = [], []
    for number in range(1, SALES + 1):
        plan = rng.choice(plans)
        place = rng.choice(locations)
        taken_at = start + timedelta(seconds=rng.randrange(365 * 86400))
        amount = Decimal(str(plan["price"]))
        sale_id = new_id()
        refunded = Decimal("0.00")
        if rng.random() < 0.03:
            refunded = amount
            refunded_at = taken_at + timedelta(days=3)
            refunds.append(
                {
                    "tenant_id": tenant_id,
                    "id": new_id(),
                    "sale_id": sale_id,
                    "amount": amount,
                    "currency": plan["currency"],
                    "reason": "bench",
                    "refunded_by": tenant_id,
                    "refunded_at": refunded_at,
                    "refunded_on": refunded_at.astimezone(ZoneInfo(place["timezone"])).date(),
                    "payment_id": None,
                }
            )
        sales.append(
            {
                "tenant_id": tenant_id,
                "id": sale_id,
                "member_id": rng.choice(members),
                "membership_id": None,
                "plan_id": uuid.UUID(plan["id"]),
                "location_id": uuid.UUID(place["id"]),
                "amount": amount,
                "currency": plan["currency"],
                "method": "card_terminal",
                "taken_by": None,
                "device_id": None,
                "taken_at": taken_at,
                "taken_on": taken_at.astimezone(ZoneInfo(place["timezone"])).date(),
                "receipt_number": number,
                "list_price": amount,
                "discount_amount": Decimal("0.00"),
                "discount_reason": None,
                "refunded_amount": refunded,
            }
        )
    revenue: dict[tuple[Any, ...], list[Any]] = {}
    for sale in sales:
        key = (tenant_id, sale["taken_on"], sale["location_id"], sale["plan_id"], sale["currency"])
        totals = revenue.setdefault(key, [0, Decimal("0"), Decimal("0")])
        totals[0] += 1
        totals[1] += sale["amount"]
    by_id = {sale["id"]: sale for sale in sales}
    for refund in refunds:
        sale = by_id[refund["sale_id"]]
        key = (
            tenant_id,
            refund["refunded_on"],
            sale["location_id"],
            sale["plan_id"],
            sale["currency"],
        )
        revenue.setdefault(key, [0, Decimal("0"), Decimal("0")])[2] += refund["amount"]
    days = [
        dict(zip(("tenant_id", "day", "location_id", "plan_id", "currency"), key, strict=True))
        | {"sales": n, "gross": gross, "refunds": back}
        for key, (n, gross, back) in revenue.items()
    ]
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(insert(Member), member_rows)
            for chunk in range(0, len(sales), 10_000):
                connection.execute(insert(Sale), sales[chunk : chunk + 10_000])
            connection.execute(insert(Refund), refunds)
            connection.execute(insert(RevenueDay), days)
            connection.execute(
                insert(ReceiptCounter), [{"tenant_id": tenant_id, "last_number": SALES}]
            )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    finally:
        engine.dispose()


def _figure(name: str, result: wrk.WrkResult, note: str) -> Figure:
    return Figure(
        name=name,
        unit="ms",
        median=result.p50_ms,
        p95=result.p95_ms,
        p99=result.p99_ms,
        throughput=result.requests_per_s,
        throughput_unit="req/s",
        bar=BAR,
        backend="postgresql",
        samples=result.requests,
        duration_s=result.duration_s,
        problems=result.problems(),
        note=note,
    )


def _measure(ctx: Context, database_url: str, work_dir: Path) -> Iterator[Figure]:
    duration_s = 3.0 if ctx.quick else 15.0
    with zmos_server(work_dir, database_url, workers=2) as server:
        with httpx.Client(base_url=server.base_url, timeout=60.0) as client:
            headers, tenant_id, locations, plans = _seed_api(client)
            _seed_rows(database_url, tenant_id, locations, plans)
            london = locations[0]["id"]
            urls = {
                "sales.list": ("/sales?limit=50", "first page"),
                "sales.list_filtered": (
                    f"/sales?limit=50&location_id={london}&from=2025-06-01&to=2025-06-30&offset=100",
                    "one location, one month, third page",
                ),
                "reports.revenue": (
                    "/reports/revenue?group_by=plan&period=month&from=2025-01-01&to=2025-12-31",
                    "per plan and month, a year",
                ),
                "reports.revenue_daily": (
                    "/reports/revenue?group_by=location&period=day&from=2025-01-01&to=2025-12-31",
                    "per location and day, a year",
                ),
            }
            for path, _ in urls.values():
                _expect(client.get(path, headers=headers), 200, f"GET {path}")
        script = work_dir / "sales.lua"
        script.write_text(wrk.lua_script(headers))
        for name, (path, what) in urls.items():
            url = f"{server.base_url}{path}"
            wrk.run(url, script, connections=CONNECTIONS, duration_s=1.0)
            result = wrk.run(url, script, connections=CONNECTIONS, duration_s=duration_s)
            note = f"{what}; {SALES:,} sales, {MEMBERS:,} members, {CONNECTIONS} connections"
            yield _figure(name, result, note)


@benchmark("sales.read")
def sales_read(ctx: Context) -> Iterator[Figure]:
    if not ctx.postgres_url:
        return
    work_dir = ctx.tmp_dir / "postgresql"
    work_dir.mkdir(parents=True, exist_ok=True)
    with fresh_postgres_database(ctx.postgres_url) as database_url:
        yield from _measure(ctx, database_url, work_dir)
