"""api.read — authenticated ``GET /locations/{id}`` at 100 connections, wrk against zmos server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import httpx

from . import wrk
from .core import Bar, Context, Figure, Limit, benchmark
from .server import fresh_postgres_database, sqlite_url, zmos_server

BAR = Bar(
    text="p95 ≤ 100 ms and ≥ 1,000 requests/s (100 connections)",
    limits=(Limit("p95", "<=", 100.0), Limit("throughput", ">=", 1000.0)),
)

TENANT = {
    "name": "Bench Gym",
    "slug": "bench-gym",
    "contact_email": "owner@bench.example",
    "currency": "GHS",
    "owner": {
        "name": "Bench Owner",
        "email": "owner@bench.example",
        "password": "correct horse battery staple",
    },
}
LOCATION = {
    "name": "Bench Central",
    "timezone": "Europe/London",
    "capacity": 120,
    "opening_hours": {"mon": [{"opens": "06:00", "closes": "22:00"}]},
}


def _expect(response: httpx.Response, status: int, what: str) -> dict[str, object]:
    if response.status_code != status:
        raise RuntimeError(
            f"{what}: expected HTTP {status}, got {response.status_code}: {response.text[:500]}"
        )
    body = response.json()
    if not isinstance(body, dict):
        raise RuntimeError(f"{what}: expected a JSON object, got {body!r:.200}")
    return body


def seed(base_url: str) -> tuple[str, str]:
    """Create a tenant (with owner) and a location; return (access token, location path)."""
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        created = _expect(client.post("/tenants", json=TENANT), 201, "POST /tenants")
        tokens = created.get("tokens")
        if not isinstance(tokens, dict) or not isinstance(tokens.get("access_token"), str):
            raise RuntimeError(f"POST /tenants: no tokens.access_token in {created!r:.300}")
        token: str = tokens["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        location = _expect(
            client.post("/locations", json=LOCATION, headers=headers), 201, "POST /locations"
        )
        path = f"/locations/{location['id']}"
        _expect(client.get(path, headers=headers), 200, f"GET {path}")
    return token, path


def _measure(ctx: Context, backend: str, database_url: str, work_dir: Path) -> Figure:
    connections = 10 if ctx.quick else 100
    duration_s = 2.0 if ctx.quick else 15.0
    warmup_s = 1.0 if ctx.quick else 3.0
    with zmos_server(work_dir, database_url, workers=2) as server:
        token, path = seed(server.base_url)
        script = work_dir / "api_read.lua"
        script.write_text(wrk.lua_script({"Authorization": f"Bearer {token}"}))
        url = f"{server.base_url}{path}"
        wrk.run(url, script, connections=connections, duration_s=warmup_s)
        result = wrk.run(url, script, connections=connections, duration_s=duration_s)
    return Figure(
        name="api.read",
        unit="ms",
        median=result.p50_ms,
        p95=result.p95_ms,
        p99=result.p99_ms,
        throughput=result.requests_per_s,
        throughput_unit="req/s",
        bar=BAR,
        backend=backend,
        samples=result.requests,
        duration_s=result.duration_s,
        problems=result.problems(),
        note=f"{connections} connections",
    )


def _backends(ctx: Context) -> Iterator[tuple[str, AbstractContextManager[str], Path]]:
    sqlite_dir = ctx.tmp_dir / "sqlite"
    sqlite_dir.mkdir(parents=True, exist_ok=True)
    yield "sqlite", nullcontext(sqlite_url(sqlite_dir)), sqlite_dir
    if ctx.postgres_url:
        yield "postgresql", fresh_postgres_database(ctx.postgres_url), ctx.tmp_dir / "postgresql"


@benchmark("api.read")
def api_read(ctx: Context) -> Iterator[Figure]:
    for backend, database, work_dir in _backends(ctx):
        with database as database_url:
            yield _measure(ctx, backend, database_url, work_dir)
