"""sync.push_10k, sync.pull_10k, sync.change_seen — the real kiosk core against a real
``zmos server`` on loopback, seeded through the API."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import httpx

from desktop.core.kiosk import KioskCore
from tests.e2e.sync_support import Provider, enrolled_core, pending, record_checkins

from .core import Bar, Context, Figure, Limit, benchmark, time_each, timed_figure
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
            problems = []

            def push(_round: int) -> None:
                if core.sync.push() is None or pending(core):
                    problems.append(f"push stopped: {core.sync.status().last_error}")

            timed = time_each(push, range(rounds), before=lambda _: record_checkins(core, count))
        finally:
            core.close()
    return timed_figure(
        "sync.push_10k",
        timed,
        PUSH_BAR,
        items=count,
        items_unit="mutations/s",
        backend=backend,
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
            start_cursor = core.sync.cursor()[0]
            _import(provider, "first_name,last_name\n" + "Pulled,Member\n" * count)

            def rewind(_round: int) -> None:
                # Back to before the import (by hand: the kiosk never moves its cursor back).
                with core.store.transaction() as conn:
                    conn.execute("UPDATE sync_state SET cursor = ?", (start_cursor,))

            timed = time_each(lambda _: core.sync.pull(), range(rounds), before=rewind)
        finally:
            core.close()
    problems = [f"applied {n} changes, expected {count}" for n in timed.results if n != count]
    return timed_figure(
        "sync.pull_10k",
        timed,
        PULL_BAR,
        items=count,
        items_unit="changes/s",
        backend=backend,
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
        if core.sync.pull(wait=20.0) is None:
            time.sleep(0.1)


def _seen(ctx: Context, backend: str, database_url: str, work_dir: Path) -> Figure:
    rounds = 3 if ctx.quick else 30
    with zmos_server(work_dir, database_url) as server:
        provider, core = _kiosk(server.base_url, work_dir, 10)
        stop = threading.Event()
        listener = threading.Thread(target=_listen, args=(core, stop), daemon=True)
        listener.start()
        problems: list[str] = []
        conn = core.store.connection()

        def change_seen(i: int) -> None:
            deadline = time.perf_counter() + 10
            member_id = provider.post("/members", {"first_name": "Seen", "last_name": f"N{i}"})
            query = "SELECT 1 FROM cached_member WHERE id = ?"
            while conn.execute(query, (member_id["id"],)).fetchone() is None:
                if time.perf_counter() > deadline:
                    problems.append(f"change {i} not seen within 10 s")
                    break
                time.sleep(0.001)

        try:
            time.sleep(0.5)  # the long-poll is waiting
            timed = time_each(change_seen, range(rounds), before=lambda _: time.sleep(0.05))
        finally:
            stop.set()
            provider.post("/members", {"first_name": "Wake", "last_name": "Up"})
            listener.join(timeout=25)
            core.close()
    return timed_figure(
        "sync.change_seen",
        timed,
        SEEN_BAR,
        backend=backend,
        problems=problems,
        note="POST /members until the kiosk's long-poll has applied it",
    )


@benchmark("sync.change_seen")
def change_seen(ctx: Context) -> Iterator[Figure]:
    for backend, database, work_dir in _backends(ctx, "seen"):
        with database as database_url:
            yield _seen(ctx, backend, database_url, work_dir)
