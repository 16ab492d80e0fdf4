"""web.pages — the console's and the member app's pages from a real ``zmos server``.

A provider with 10,000 members (each with a membership) and a year of sessions (eight a
day, half a year back and half ahead, a few booked today). Each page's time is one signed-in
``GET`` on loopback after a warm-up, one at a time (what the server spends on it, plus a
loopback round trip): p95 ≤ 100 ms. Then Chromium opens Today and the pass page and reads
their first contentful paint: ≤ 1 s.

The pages measured are :data:`PAGES`; a page whose route this build does not have yet (it
answers 404) is left out and named in the note, so adding the Schedule, Members search or
Reports page to the product adds it here with no change to this file.
"""

from __future__ import annotations

import re
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import create_engine, insert, update
from sqlalchemy.orm import Session

from .api_read import LOCATION, TENANT
from .bookings import Seeded, _seed_tenant
from .core import Bar, Context, Figure, Limit, Timed, benchmark, timed_figure
from .server import fresh_postgres_database, sqlite_url, zmos_server

SERVER_BAR = Bar(
    text="server time p95 ≤ 100 ms (10,000 members, a year of sessions)",
    limits=(Limit("p95", "<=", 100.0),),
)
PAINT_BAR = Bar(
    text="Chromium's first contentful paint ≤ 1 s on loopback",
    limits=(Limit("p95", "<=", 1000.0),),
)


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    #: Whose sign-in asks for it.
    who: Literal["staff", "member"]
    #: Whether Chromium's first paint of it is measured too.
    paint: bool = False


#: What is measured. Pages another part of the product brings are listed already: they are
#: measured once their route exists.
PAGES = (
    Page("today", "/manage", "staff", paint=True),
    Page("today.live", "/manage/today/live", "staff"),
    Page("schedule", "/manage/schedule", "staff"),
    Page("members.search", "/manage/members?q=bench 4711", "staff"),
    # A year of the attendance report (the sessions' figures grouped by local week).
    Page("reports.attendance", "/manage/reports/attendance?weeks=52", "staff"),
    Page("reports.slots", "/manage/reports/slots?weeks=52", "staff"),
    Page("pass", "/app/pass", "member", paint=True),
)

STAFF_EMAIL = str(TENANT["contact_email"])
STAFF_PASSWORD = str(TENANT["owner"]["password"])  # type: ignore[index]
MEMBER_EMAIL = "pass.holder@bench.example"
#: Eight sessions a day, on the hour from 07:00 at the location.
SESSION_HOURS = (7, 8, 9, 12, 13, 17, 18, 19)
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _seed_rows(database_url: str, seeded: Seeded, *, members: int, days: int) -> None:
    """Members with memberships, sessions over ``days`` around today, and the member who
    signs in to the app; written directly (the API would take minutes)."""
    from server.adapters.local_identity import LocalIdentity
    from server.members.models import Member
    from server.plans.models import Membership
    from server.scheduling.models import ClassSession, SessionType
    from shared.normalise import name_search_key

    zone = ZoneInfo(str(LOCATION["timezone"]))
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.astimezone(zone).date()
    tenant = seeded.tenant_id
    member_ids = [uuid.uuid4() for _ in range(members)]
    engine = create_engine(database_url)
    with Session(engine) as db:
        db.execute(
            insert(Member),
            [
                {
                    "tenant_id": tenant,
                    "id": m,
                    "first_name": f"Bench{i}",
                    "last_name": "Member",
                    "search_key": name_search_key(f"Bench{i}", "Member")[:210],
                    "source": "desk",
                    "fitness_goals": [],
                    "preferences": {},
                    "home_location_id": seeded.location_id,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, m in enumerate(member_ids)
            ],
        )
        db.execute(
            update(Member)
            .where(Member.tenant_id == tenant, Member.id == member_ids[0])
            .values(
                email=MEMBER_EMAIL,
                password_hash=LocalIdentity("unused").hash_password(STAFF_PASSWORD),
                email_verified_at=now,
            )
        )
        db.execute(
            insert(Membership),
            [
                {
                    "tenant_id": tenant,
                    "id": uuid.uuid4(),
                    "member_id": m,
                    "plan_id": seeded.plan_id,
                    "status": "active",
                    "starts_on": today - timedelta(days=30),
                    "source": "desk",
                    "created_at": now,
                    "updated_at": now,
                }
                for m in member_ids
            ],
        )
        kind = uuid.uuid4()
        db.add(
            SessionType(
                tenant_id=tenant,
                id=kind,
                name="Bench HIIT",
                kind="class",
                category="HIIT",
                duration_minutes=60,
                default_capacity=20,
                requires_approval=False,
                intensity="high",
                contraindications=[],
                active=True,
            )
        )
        db.flush()
        rows = []
        for offset in range(-(days // 2), days - days // 2):
            day = today + timedelta(days=offset)
            for n, hour in enumerate(SESSION_HOURS):
                local = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
                start = local.astimezone(UTC)
                booked = (offset * 7 + n * 3) % 21 if offset <= 0 else n
                rows.append(
                    {
                        "tenant_id": tenant,
                        "id": uuid.uuid4(),
                        "location_id": seeded.location_id,
                        "session_type_id": kind,
                        "starts_at": start,
                        "ends_at": start + timedelta(minutes=60),
                        "local_date": day,
                        "local_start": local.time().replace(tzinfo=None),
                        "capacity": 20,
                        "confirmed_count": booked,
                        "waitlist_count": 0,
                        "next_position": booked + 1,
                        "status": "scheduled",
                        "detached": False,
                    }
                )
        db.execute(insert(ClassSession), rows)
        db.commit()
    engine.dispose()


def _signed_in(base_url: str, who: Literal["staff", "member"]) -> httpx.Client:
    """A client holding a web sign-in's cookies, through the sign-in form as a person does."""
    client = httpx.Client(base_url=base_url, timeout=30.0)
    if who == "staff":
        form = "/manage/signin"
        fields = {"tenant": str(TENANT["slug"]), "email": STAFF_EMAIL}
    else:
        form = f"/app/{TENANT['slug']}/signin"
        fields = {"email": MEMBER_EMAIL}
    shown = client.get(form)
    token = _CSRF.search(shown.text)
    if shown.status_code != 200 or token is None:
        raise RuntimeError(f"GET {form}: {shown.status_code} {shown.text[:300]}")
    signed = client.post(form, data={"csrf": token.group(1), "password": STAFF_PASSWORD, **fields})
    if signed.status_code != 303:
        raise RuntimeError(f"POST {form}: expected 303, got {signed.status_code}")
    return client


def _time_page(client: httpx.Client, page: Page, *, warmup: int, samples: int) -> Timed[int]:
    for _ in range(warmup):
        client.get(page.path)
    timings: list[float] = []
    statuses: list[int] = []
    started = time.perf_counter()
    for _ in range(samples):
        t0 = time.perf_counter()
        response = client.get(page.path)
        timings.append((time.perf_counter() - t0) * 1000)
        statuses.append(response.status_code)
    return Timed(timings, statuses, time.perf_counter() - started)


def _first_paints(base_url: str, clients: dict[str, httpx.Client], runs: int) -> list[Figure]:
    """Each paint page opened ``runs`` times in a fresh tab of a signed-in Chromium."""
    from playwright.sync_api import sync_playwright

    from tests.web.conftest import CHROMIUM_ARGS

    chromium = shutil.which("chromium")
    if chromium is None:
        raise RuntimeError("install Debian's chromium package (./dev setup does)")
    figures = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for page in (p for p in PAGES if p.paint):
                context = browser.new_context(viewport={"width": 1366, "height": 768})
                context.add_cookies(_cookies_of(clients[page.who], base_url))
                paints: list[float] = []
                problems: list[str] = []
                started = time.perf_counter()
                for _ in range(runs):
                    tab = context.new_page()
                    response = tab.goto(base_url + page.path, wait_until="load")
                    if response is None or response.status != 200 or page.path not in tab.url:
                        problems.append(f"{page.path} did not open signed in ({tab.url})")
                    paint = tab.evaluate(
                        "() => new Promise(done => { const read = () => { const [e] ="
                        " performance.getEntriesByName('first-contentful-paint');"
                        " if (e) done(e.startTime); else setTimeout(read, 20); }; read(); })"
                    )
                    paints.append(float(paint))
                    tab.close()
                context.close()
                figures.append(
                    timed_figure(
                        f"web.pages.paint.{page.name}",
                        Timed(paints, paints, time.perf_counter() - started),
                        PAINT_BAR,
                        problems=sorted(set(problems)),
                        note=f"{page.path}, Chromium, 1366×768, a fresh tab each time",
                    )
                )
        finally:
            browser.close()
    return figures


def _cookies_of(client: httpx.Client, base_url: str) -> Any:
    return [
        {"name": c.name, "value": c.value or "", "url": base_url + (c.path or "/")}
        for c in client.cookies.jar
    ]


def _measure(ctx: Context, backend: str, database_url: str, work_dir: Path) -> Iterator[Figure]:
    members, days = (500, 28) if ctx.quick else (10_000, 365)
    warmup, samples = (3, 20) if ctx.quick else (20, 200)
    with zmos_server(work_dir, database_url, workers=2) as server:
        seeded = _seed_tenant(server.base_url)
        _seed_rows(database_url, seeded, members=members, days=days)
        clients = {who: _signed_in(server.base_url, who) for who in ("staff", "member")}
        try:
            absent = []
            load = f"{members:,} members, {days * len(SESSION_HOURS):,} sessions"
            for page in PAGES:
                client = clients[page.who]
                if client.get(page.path).status_code == 404:
                    absent.append(page.path)
                    continue
                timed = _time_page(client, page, warmup=warmup, samples=samples)
                wrong = sorted({s for s in timed.results if s != 200})
                yield timed_figure(
                    f"web.pages.{page.name}",
                    timed,
                    SERVER_BAR,
                    backend=backend,
                    problems=[f"HTTP {s} answers" for s in wrong],
                    note=f"GET {page.path}; {load}",
                )
            if absent:
                print(f"  web.pages: not in this build yet: {', '.join(absent)}")
            for figure in _first_paints(server.base_url, clients, 3 if ctx.quick else 20):
                figure.backend = backend
                yield figure
        finally:
            for client in clients.values():
                client.close()


def _backends(ctx: Context) -> Iterator[tuple[str, AbstractContextManager[str], Path]]:
    """PostgreSQL, where the bar is set; SQLite only when there is no PostgreSQL to use."""
    if ctx.postgres_url:
        yield "postgresql", fresh_postgres_database(ctx.postgres_url), ctx.tmp_dir / "postgresql"
        return
    sqlite_dir = ctx.tmp_dir / "sqlite"
    sqlite_dir.mkdir(parents=True, exist_ok=True)
    yield "sqlite", nullcontext(sqlite_url(sqlite_dir)), sqlite_dir


@benchmark("web.pages")
def web_pages(ctx: Context) -> Iterator[Figure]:
    for backend, database, work_dir in _backends(ctx):
        with database as database_url:
            yield from _measure(ctx, backend, database_url, work_dir)
