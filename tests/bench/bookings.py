"""bookings.* — real HTTP to a real ``zmos server`` (2 processes), load from this process.

``bookings.burst``: 500 simultaneous booking requests for one 20-place class: exactly 20
confirmed, 480 waitlisted in arrival order (positions 1..500 in booked-at order), no 5xx,
p99 latency reported. ``bookings.sustained``: wrk at 100 connections, each request a new
booking (distinct member/session pairs), bookings per second.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, insert, select
from sqlalchemy.orm import Session

from . import burst_client, wrk
from .api_read import LOCATION, TENANT, _expect
from .core import Bar, Context, Figure, Limit, benchmark, summarize
from .server import fresh_postgres_database, sqlite_url, zmos_server

BURST_BAR = Bar(
    text="500 simultaneous requests, 20-place class: exactly 20 confirmed, 480 waitlisted in "
    "arrival order, no error, p99 ≤ 1 s",
    limits=(Limit("p99", "<=", 1000.0),),
)
SUSTAINED_BAR = Bar(
    text="sustained, 100 connections: ≥ 800 bookings/s",
    limits=(Limit("throughput", ">=", 800.0),),
)
PLAN = {
    "name": "Bench monthly",
    "kind": "recurring",
    "billing_period": "month",
    "price": "40.00",
    "currency": "EUR",
}


class Seeded:
    def __init__(
        self, token: str, tenant_id: uuid.UUID, location_id: uuid.UUID, plan_id: uuid.UUID
    ) -> None:
        self.plan_id = plan_id
        self.token = token
        self.tenant_id = tenant_id
        self.location_id = location_id

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _seed_tenant(base_url: str) -> Seeded:
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        created = _expect(client.post("/tenants", json=TENANT), 201, "POST /tenants")
        token = str(created["tokens"]["access_token"])  # type: ignore[index]
        tenant_id = uuid.UUID(str(created["tenant"]["id"]))  # type: ignore[index]
        headers = {"Authorization": f"Bearer {token}"}
        location = _expect(
            client.post("/locations", json=LOCATION, headers=headers), 201, "POST /locations"
        )
        plan = _expect(client.post("/plans", json=PLAN, headers=headers), 201, "POST /plans")
    return Seeded(token, tenant_id, uuid.UUID(str(location["id"])), uuid.UUID(str(plan["id"])))


def _seed_rows(
    database_url: str, seeded: Seeded, *, members: int, sessions: int, capacity: int
) -> tuple[list[str], list[str]]:
    """Members with a monthly membership, and sessions 2 h apart (none overlap), directly."""
    from server.members.models import Member
    from server.plans.models import Membership
    from server.scheduling.models import ClassSession, SessionType, keep_local_times_in_step

    keep_local_times_in_step()  # as the server does: the rows get their local date and time
    engine = create_engine(database_url)
    now = datetime.now(UTC).replace(microsecond=0)
    member_ids = [uuid.uuid4() for _ in range(members)]
    session_ids = [uuid.uuid4() for _ in range(sessions)]
    tenant = seeded.tenant_id
    plan_id = seeded.plan_id
    with Session(engine) as db:
        db.execute(
            insert(Member),
            [
                {
                    "tenant_id": tenant,
                    "id": m,
                    "first_name": f"Bench{i}",
                    "last_name": "Member",
                    "source": "desk",
                    "fitness_goals": [],
                    "preferences": {},
                    "created_at": now,
                    "updated_at": now,
                }
                for i, m in enumerate(member_ids)
            ],
        )
        db.execute(
            insert(Membership),
            [
                {
                    "tenant_id": tenant,
                    "id": uuid.uuid4(),
                    "member_id": m,
                    "plan_id": plan_id,
                    "status": "active",
                    "starts_on": date.today() - timedelta(days=1),
                    "source": "desk",
                    "created_at": now,
                    "updated_at": now,
                }
                for m in member_ids
            ],
        )
        kind = SessionType(
            tenant_id=tenant,
            id=uuid.uuid4(),
            name="Bench HIIT",
            kind="class",
            category="HIIT",
            duration_minutes=60,
            default_capacity=capacity,
            requires_approval=False,
            intensity="high",
            contraindications=[],
            active=True,
        )
        db.add(kind)
        db.flush()
        for i, sid in enumerate(session_ids):
            start = now + timedelta(hours=2 + 2 * i)
            db.add(
                ClassSession(
                    tenant_id=tenant,
                    id=sid,
                    location_id=seeded.location_id,
                    session_type_id=kind.id,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=60),
                    capacity=capacity,
                    confirmed_count=0,
                    waitlist_count=0,
                    next_position=1,
                    status="scheduled",
                    detached=False,
                )
            )
        db.commit()
    engine.dispose()
    return [str(m) for m in member_ids], [str(s) for s in session_ids]


def _burst(
    base_url: str, headers: dict[str, str], session_id: str, members: list[str]
) -> list[burst_client.Answer]:
    url = httpx.URL(base_url)
    target = f"/sessions/{session_id}/bookings"
    calls = [burst_client.Call.post_json(target, headers, {"member_id": m}) for m in members]
    return asyncio.run(burst_client.burst(url.host, url.port or 80, calls))


def _check_burst(database_url: str, session_id: str, places: int, total: int) -> list[str]:
    from server.bookings.models import Booking

    engine = create_engine(database_url)
    with Session(engine) as db:
        rows = db.execute(
            select(Booking.position, Booking.status, Booking.booked_at)
            .where(Booking.session_id == uuid.UUID(session_id))
            .order_by(Booking.position)
        ).all()
    engine.dispose()
    problems = []
    statuses = [r.status for r in rows]
    expected = ["confirmed"] * places + ["waitlisted"] * (total - places)
    if statuses != expected:
        problems.append(
            f"{statuses.count('confirmed')} confirmed and {statuses.count('waitlisted')} "
            f"waitlisted in position order (expected {places} then {total - places})"
        )
    if [r.position for r in rows] != list(range(1, total + 1)):
        problems.append("positions are not 1..N")
    if [r.booked_at for r in rows] != sorted(r.booked_at for r in rows):
        problems.append("positions are not in arrival (booked-at) order")
    return problems


def _measure_burst(ctx: Context, backend: str, database_url: str, work_dir: Path) -> Figure:
    total, places = (60, 5) if ctx.quick else (500, 20)
    with zmos_server(work_dir, database_url, workers=2) as server:
        seeded = _seed_tenant(server.base_url)
        members, [session_id] = _seed_rows(
            database_url, seeded, members=total, sessions=1, capacity=places
        )
        results = _burst(server.base_url, seeded.headers, session_id, members)
    latencies = [answer.ms for answer in results]
    errors = [answer.status for answer in results if answer.status != 201]
    problems = []
    if errors:
        problems.append(f"{len(errors)} of {total} answers were not 201: {sorted(set(errors))}")
    problems += _check_burst(database_url, session_id, places, total)
    median, p95, p99 = summarize(latencies)
    return Figure(
        name="bookings.burst",
        unit="ms",
        median=median,
        p95=p95,
        p99=p99,
        bar=BURST_BAR,
        backend=backend,
        samples=total,
        problems=problems,
        note=f"{total} simultaneous requests for a {places}-place class",
    )


_PAIRS_LUA = """
local members = {{{members}}}
local sessions = {{{sessions}}}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
  thread:set("nthreads", {threads})
end
local counter = 0
request = function()
  local me = tonumber(tid) or 1
  local n = tonumber(nthreads) or 1
  local k = counter * n + (me - 1)
  counter = counter + 1
  local m = members[(k % #members) + 1]
  local s = sessions[(math.floor(k / #members) % #sessions) + 1]
  local path = "/sessions/" .. s .. "/bookings"
  return wrk.format("POST", path, nil, '{{"member_id": "' .. m .. '"}}')
end
"""


def _measure_sustained(ctx: Context, backend: str, database_url: str, work_dir: Path) -> Figure:
    connections = 10 if ctx.quick else 100
    duration_s = 2.0 if ctx.quick else 10.0
    members_n, sessions_n = (40, 20) if ctx.quick else (250, 160)
    threads = 2
    with zmos_server(work_dir, database_url, workers=2) as server:
        seeded = _seed_tenant(server.base_url)
        members, sessions = _seed_rows(
            database_url, seeded, members=members_n, sessions=sessions_n, capacity=100
        )
        headers = {**seeded.headers, "Content-Type": "application/json"}
        script = work_dir / "bookings.lua"

        def quoted(ids: list[str]) -> str:
            return ", ".join(f'"{i}"' for i in ids)

        script.write_text(
            wrk.lua_script(headers, method="POST")
            + _PAIRS_LUA.format(members=quoted(members), sessions=quoted(sessions), threads=threads)
        )
        url = f"{server.base_url}/sessions/{sessions[0]}/bookings"
        result = wrk.run(
            url, script, connections=connections, duration_s=duration_s, threads=threads
        )
    return Figure(
        name="bookings.sustained",
        unit="ms",
        median=result.p50_ms,
        p95=result.p95_ms,
        p99=result.p99_ms,
        throughput=result.requests_per_s,
        throughput_unit="bookings/s",
        bar=SUSTAINED_BAR,
        backend=backend,
        samples=result.requests,
        duration_s=result.duration_s,
        problems=result.problems(),
        note=f"{connections} connections, each request a new booking",
    )


def _backends(ctx: Context, name: str) -> Iterator[tuple[str, AbstractContextManager[str], Path]]:
    sqlite_dir = ctx.tmp_dir / name / "sqlite"
    sqlite_dir.mkdir(parents=True, exist_ok=True)
    yield "sqlite", nullcontext(sqlite_url(sqlite_dir)), sqlite_dir
    if ctx.postgres_url:
        yield (
            "postgresql",
            fresh_postgres_database(ctx.postgres_url),
            ctx.tmp_dir / name / "postgresql",
        )


@benchmark("bookings.burst")
def bookings_burst(ctx: Context) -> Iterator[Figure]:
    for backend, database, work_dir in _backends(ctx, "burst"):
        with database as database_url:
            yield _measure_burst(ctx, backend, database_url, work_dir)


@benchmark("bookings.sustained")
def bookings_sustained(ctx: Context) -> Iterator[Figure]:
    for backend, database, work_dir in _backends(ctx, "sustained"):
        with database as database_url:
            yield _measure_sustained(ctx, backend, database_url, work_dir)
