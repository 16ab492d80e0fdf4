"""sync.push_10k, sync.pull_10k, sync.change_seen — the real kiosk core against a real
``zmos server`` on loopback (DESIGN.md §6), seeded through the API."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import httpx

from desktop.core.kiosk import KioskCore
from tests.e2e.sync_support import Provider, enrolled_core, pending, record_checkins

from .core import Bar, Context, Figure, Limit, benchmark, summarize
from .server import fresh_postgres_database, sqlite_url, zmos_server

PUSH_BAR = Bar(
    text="≤ 2 s on loopback (10,000 offline check-ins pushed and acknowledged)",
    limits=(Limit("median", "<=", 2000.0),),
)
PULL_BAR = Bar(
    text="≤ 1 s (pull of 10,000 changes applied at the kiosk)",
    limits=(Limit("median", "<=", 1000.0),),
)
SEEN_BAR = Bar(
    text="≤ 1 s (an online kiosk sees a server change)", limits=(Limit("p95", "<=", 1000.0),)
)


def _backends(ctx: Context, name: str) -> Iterator[tuple[str, AbstractContextManager[str], Path]]:
    sqlite_dir = ctx.tmp_dir / f"{name}-sqlite"
    sqlite_dir.mkdir(parents=True, exist_ok=True)
    yield "sqlite", nullcontext(sqlite_url(sqlite_dir)), sqlite_dir
    if ctx.postgres_url:
        yield "postgresql", fresh_postgres_database(ctx.postgres_url), ctx.tmp_dir / f"{name}-pg"


def _kiosk(base_url: str, work_dir: Path, members: int) -> tuple[Provider, KioskCore]:
    provider = Provider(base_url, slug=f"bench-{work_dir.name}")
    csv = "first_name,last_name\n" + "".join(f"Member,No{i:05d}\n" for i in range(members))
    _import(provider, csv)
    return provider, enrolled_core(provider, work_dir / "kiosk")


def _import(provider: Provider, csv: str) -> None:
    headers = provider.headers | {"Content-Type": "text/csv"}
    response = httpx.post(
        f"{provider.url}/members/import", content=csv.encode(), headers=headers, timeout=300
    )
    response.raise_for_status()


# -- sync.push_10k ----------------------------------------------------------------------------


def _push(ctx: Context, backend: str, database_url: str, work_dir: Path) -> Figure:
    count = 500 if ctx.quick else 10_000
    rounds = 1 if ctx.quick else 3
    with zmos_server(work_dir, database_url) as server:
        _provider, core = _kiosk(server.base_url, work_dir, 100)
        try:
            samples, problems = [], []
            for _ in range(rounds):
                record_checkins(core, count)
                started = time.perf_counter()
                result = core.push()
                samples.append((time.perf_counter() - started) * 1000)
                if result is None or pending(core):
                    problems.append(f"push stopped: {core.status().last_error}")
        finally:
            core.close()
    median, p95, p99 = summarize(samples)
    return Figure(
        name="sync.push_10k",
        unit="ms",
        median=median,
        p95=p95,
        p99=p99,
        throughput=count / (median / 1000),
        throughput_unit="mutations/s",
        bar=PUSH_BAR,
        backend=backend,
        samples=len(samples),
        problems=problems,
        note=f"{count} check-ins per push, batches of 500, gzip",
    )


@benchmark("sync.push_10k")
def push_10k(ctx: Context) -> Iterator[Figure]:
    for backend, database, work_dir in _backends(ctx, "push"):
        with database as database_url:
            yield _push(ctx, backend, database_url, work_dir)


# -- sync.pull_10k ----------------------------------------------------------------------------


def _pull(ctx: Context, backend: str, database_url: str, work_dir: Path) -> Figure:
    count = 500 if ctx.quick else 10_000
    rounds = 1 if ctx.quick else 5
    with zmos_server(work_dir, database_url) as server:
        provider, core = _kiosk(server.base_url, work_dir, 0)
        try:
            start_cursor = core.sync_cursor()[0]
            _import(provider, "first_name,last_name\n" + "Pulled,Member\n" * count)
            samples, problems = [], []
            for _ in range(rounds):
                # Back to before the import (by hand: the kiosk never moves its cursor back).
                with core.store.transaction() as conn:
                    conn.execute("UPDATE sync_state SET cursor = ?", (start_cursor,))
                started = time.perf_counter()
                applied = core.pull()
                samples.append((time.perf_counter() - started) * 1000)
                if applied != count:
                    problems.append(f"applied {applied} changes, expected {count}")
        finally:
            core.close()
    median, p95, p99 = summarize(samples)
    return Figure(
        name="sync.pull_10k",
        unit="ms",
        median=median,
        p95=p95,
        p99=p99,
        throughput=count / (median / 1000),
        throughput_unit="changes/s",
        bar=PULL_BAR,
        backend=backend,
        samples=len(samples),
        problems=problems,
        note=f"{count} member changes, pages of 1000, applied and committed per page",
    )


@benchmark("sync.pull_10k")
def pull_10k(ctx: Context) -> Iterator[Figure]:
    for backend, database, work_dir in _backends(ctx, "pull"):
        with database as database_url:
            yield _pull(ctx, backend, database_url, work_dir)


# -- sync.change_seen -------------------------------------------------------------------------


def _listen(core: KioskCore, stop: threading.Event) -> None:
    while not stop.is_set():
        if core.pull(wait=20.0) is None:
            time.sleep(0.1)


def _seen(ctx: Context, backend: str, database_url: str, work_dir: Path) -> Figure:
    rounds = 3 if ctx.quick else 30
    with zmos_server(work_dir, database_url) as server:
        provider, core = _kiosk(server.base_url, work_dir, 10)
        stop = threading.Event()
        listener = threading.Thread(target=_listen, args=(core, stop), daemon=True)
        listener.start()
        samples, problems = [], []
        conn = core.store.connection()
        try:
            time.sleep(0.5)  # the long-poll is waiting
            for i in range(rounds):
                started = time.perf_counter()
                member_id = provider.post("/members", {"first_name": "Seen", "last_name": f"N{i}"})[
                    "id"
                ]
                query = "SELECT 1 FROM cached_member WHERE id = ?"
                deadline = started + 10
                while conn.execute(query, (member_id,)).fetchone() is None:
                    if time.perf_counter() > deadline:
                        problems.append(f"change {i} not seen within 10 s")
                        break
                    time.sleep(0.001)
                samples.append((time.perf_counter() - started) * 1000)
                time.sleep(0.05)
        finally:
            stop.set()
            provider.post("/members", {"first_name": "Wake", "last_name": "Up"})
            listener.join(timeout=25)
            core.close()
    median, p95, p99 = summarize(samples)
    return Figure(
        name="sync.change_seen",
        unit="ms",
        median=median,
        p95=p95,
        p99=p99,
        bar=SEEN_BAR,
        backend=backend,
        samples=len(samples),
        problems=problems,
        note="POST /members until the kiosk's long-poll has applied it",
    )


@benchmark("sync.change_seen")
def change_seen(ctx: Context) -> Iterator[Figure]:
    for backend, database, work_dir in _backends(ctx, "seen"):
        with database as database_url:
            yield _seen(ctx, backend, database_url, work_dir)
