"""kiosk.first_download — a kiosk's full download (snapshot fetched, parsed and applied in one
SQLite transaction) for a location with 10,000 members and 2,000 sessions with their bookings,
from a real ``zmos server`` on loopback. It has no bar: the figure is reported.

Members come through the import API; session types, sessions and bookings are bulk-inserted
straight into the server's database (seeding them through the scheduling API would take longer
than the measurement).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, insert, select

from server.bookings.models import Booking
from server.db.bulk import table_of
from server.members.models import Member
from server.scheduling.models import ClassSession, SessionType
from server.tenants.models import Tenant
from shared.clock import utcnow
from shared.ids import new_id
from tests.e2e.sync_support import Provider, enrolled_core

from .core import Bar, Context, Figure, benchmark, summarize
from .server import zmos_server
from .sync import _backends, _import

#: A benchmark without a bar: the figure is reported, never failed.
DOWNLOAD_BAR = Bar(text="no bar (reported only)", limits=())
BOOKINGS_PER_SESSION = 5
#: The zone of the Provider's location.
LONDON = ZoneInfo("Europe/London")


def _seed_sessions(database_url: str, slug: str, location_id: str, sessions: int) -> int:
    """``sessions`` sessions at the location from yesterday on, each with a few bookings;
    returns how many bookings were written."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            tenant_id = conn.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()
            members = list(
                conn.execute(
                    select(Member.id).where(Member.tenant_id == tenant_id).limit(5_000)
                ).scalars()
            )
            kinds: list[dict[str, Any]] = [
                {
                    "tenant_id": tenant_id,
                    "id": new_id(),
                    "name": name,
                    "kind": "class",
                    "category": name.lower(),
                    "duration_minutes": 45,
                    "default_capacity": 20,
                    "requires_approval": False,
                    "intensity": "moderate",
                    "contraindications": [],
                    "active": True,
                }
                for name in ("Spin", "Yoga", "HIIT", "Pilates")
            ]
            conn.execute(insert(table_of(SessionType)), kinds)
            first = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=20)
            rows: list[dict[str, Any]] = []
            bookings: list[dict[str, Any]] = []
            for i in range(sessions):
                starts = first + timedelta(minutes=15 * i)
                session_id = new_id()
                rows.append(
                    {
                        "tenant_id": tenant_id,
                        "id": session_id,
                        "location_id": uuid.UUID(location_id),
                        "session_type_id": kinds[i % len(kinds)]["id"],
                        "starts_at": starts,
                        "ends_at": starts + timedelta(minutes=45),
                        "local_date": starts.astimezone(LONDON).date(),
                        "local_start": starts.astimezone(LONDON).time(),
                        "capacity": 20,
                        "confirmed_count": BOOKINGS_PER_SESSION,
                        "waitlist_count": 0,
                        "next_position": BOOKINGS_PER_SESSION + 1,
                        "room": f"Studio {i % 3 + 1}",
                        "status": "scheduled",
                        "detached": False,
                    }
                )
                for n in range(BOOKINGS_PER_SESSION):
                    bookings.append(
                        {
                            "tenant_id": tenant_id,
                            "id": new_id(),
                            "session_id": session_id,
                            "member_id": members[(i * BOOKINGS_PER_SESSION + n) % len(members)],
                            "status": "confirmed",
                            "position": n + 1,
                            "starts_at": starts,
                            "ends_at": starts + timedelta(minutes=45),
                            "source": "member",
                            "booked_at": utcnow(),
                            "credit_taken": False,
                        }
                    )
            conn.execute(insert(table_of(ClassSession)), rows)
            for start in range(0, len(bookings), 2_000):
                conn.execute(insert(table_of(Booking)), bookings[start : start + 2_000])
            return len(bookings)
    finally:
        engine.dispose()


def _download(ctx: Context, backend: str, database_url: str, work_dir: Path) -> Figure:
    members = 1_000 if ctx.quick else 10_000
    sessions = 200 if ctx.quick else 2_000
    rounds = 2 if ctx.quick else 7
    slug = f"bench-{work_dir.name}-dl"
    with zmos_server(work_dir, database_url) as server:
        provider = Provider(server.base_url, slug=slug)
        csv = "first_name,last_name\n" + "".join(f"Member,No{i:05d}\n" for i in range(members))
        _import(provider, csv)
        booked = _seed_sessions(database_url, slug, provider.location_id, sessions)
        samples, problems = [], []
        for i in range(rounds):
            # A new kiosk each round: enrolment, then the first full download.
            core = enrolled_core(provider, work_dir / f"kiosk{i}")
            try:
                started = time.perf_counter()
                core.sync.engine.reset_from_snapshot()
                samples.append(time.perf_counter() - started)
                conn = core.store.connection()
                got = (
                    conn.execute("SELECT COUNT(*) FROM cached_member").fetchone()[0],
                    conn.execute("SELECT COUNT(*) FROM cached_class_session").fetchone()[0],
                    conn.execute("SELECT COUNT(*) FROM cached_booking").fetchone()[0],
                )
                if got != (members, sessions, booked):
                    problems.append(f"downloaded {got}, expected {(members, sessions, booked)}")
            finally:
                core.close()
    median, p95, p99 = summarize(samples)
    return Figure(
        name="kiosk.first_download",
        unit="s",
        median=median,
        p95=p95,
        p99=p99,
        bar=DOWNLOAD_BAR,
        backend=backend,
        samples=len(samples),
        problems=problems,
        note=(
            f"{members} members, {sessions} sessions, {booked} bookings: snapshot GET, parse "
            "and apply in one transaction (a new kiosk each round)"
        ),
    )


@benchmark("kiosk.first_download")
def first_download(ctx: Context) -> Iterator[Figure]:
    for backend, database, work_dir in _backends(ctx, "download"):
        with database as database_url:
            yield _download(ctx, backend, database_url, work_dir)
