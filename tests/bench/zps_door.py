"""eligibility.integrated_door — a door check-in in integrated mode (issue 18).

Online: the server in process (SQLite, and PostgreSQL with a URL), ``ZMOS_MODE=integrated``
against a loopback ZPS (tests/loopback/zps.py) that answers every check in 100 ms; members
with a ZHEP party and no membership, so every decision asks ZPS. Each sample is one
``POST /checkins``, decided and recorded. A second figure has ZPS too slow to wait for (it
answers in 500 ms): the door decides from the member's last-known benefit at the timeout.

Offline: a kiosk store with 10,000 cached members, half of them admitted only by the benefit
snapshot the server sent; each sample is one check-in decided from it and durably recorded.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import insert

from desktop.core.store.benefits import BenefitRows
from shared.enums import CheckinMethod
from tests.loopback.zps import Benefit, ZpsState, running_zps

from .api_read import LOCATION, TENANT
from .core import (
    Bar,
    Context,
    Figure,
    Limit,
    benchmark,
    in_process_settings,
    time_each,
    timed_figure,
)
from .kiosk_checkin import kiosk, snapshot
from .server import fresh_postgres_database, sqlite_url

if TYPE_CHECKING:
    from server.bootstrap import Container

DOOR_BAR = Bar(
    text="a door check-in in integrated mode decides within 150 ms p95 with ZPS answering "
    "in 100 ms (online), and from the kiosk's snapshot (offline)",
    limits=(Limit("p95", "<=", 150.0),),
)
ZPS_LATENCY_S = 0.1
SLOW_ZPS_S = 0.5


def _members(container: Container, tenant_id: uuid.UUID, count: int, prefix: str) -> list[str]:
    from server.members.models import Member

    now = datetime.now(UTC)
    ids = [uuid.uuid4() for _ in range(count)]
    with container.uow() as uow:
        uow.db.execute(
            insert(Member),
            [
                {
                    "tenant_id": tenant_id,
                    "id": m,
                    "first_name": f"Zps{i}",
                    "last_name": "Bench",
                    "source": "desk",
                    "party_id": f"{prefix}-{i}",
                    "fitness_goals": [],
                    "preferences": {},
                    "created_at": now,
                    "updated_at": now,
                }
                for i, m in enumerate(ids)
            ],
        )
        uow.commit()
    return [str(m) for m in ids]


def _online(url: str, data_dir: Path, count: int, backend: str) -> list[Figure]:
    from server.bootstrap import build_container
    from server.db.migrate import upgrade
    from server.main import create_app

    upgrade(url)
    state = ZpsState()
    figures = []
    with running_zps(state) as zps:
        settings = in_process_settings(url, data_dir).model_copy(
            update={
                "mode": "integrated",
                "zps_url": zps.url,
                "zps_api_key": SecretStr(state.api_key),
            }
        )
        container = build_container(settings)
        try:
            with TestClient(create_app(container=container)) as client:
                created = client.post("/tenants", json=TENANT).json()
                token = created["tokens"]["access_token"]
                headers = {"Authorization": f"Bearer {token}"}
                location = client.post("/locations", json=LOCATION, headers=headers).json()
                tenant_id = uuid.UUID(created["tenant"]["id"])
                members = _members(container, tenant_id, count, "party")
                for i in range(count):
                    state.benefits[f"party-{i}"] = Benefit()

                def door(member: str) -> bool:
                    response = client.post(
                        "/checkins",
                        json={"member_id": member, "location_id": location["id"], "method": "card"},
                        headers=headers,
                    )
                    return response.status_code == 201 and bool(response.json()["admitted"])

                door(members[0])  # warm up: the connection to ZPS
                state.faults.latency = ZPS_LATENCY_S
                timed = time_each(door, members[1:])
                admitted = sum(timed.results)
                figures.append(
                    timed_figure(
                        "eligibility.integrated_door.online",
                        timed,
                        DOOR_BAR,
                        backend=backend,
                        problems=[]
                        if admitted == len(members) - 1
                        else [f"{admitted}/{len(members) - 1} admitted by ZPS"],
                        note=f"POST /checkins, every decision asks ZPS ({ZPS_LATENCY_S * 1000:.0f} "
                        "ms an answer), keeps its answer and writes the utilisation report",
                    )
                )
                # ZPS too slow: each door falls back to the snapshot the run above kept.
                state.faults.latency = SLOW_ZPS_S
                client.patch("/checkin-policy", json={"reentry_window_minutes": 0}, headers=headers)
                again = members[1 : 1 + max(10, count // 4)]
                timed = time_each(door, again)
                admitted = sum(timed.results)
                figures.append(
                    timed_figure(
                        "eligibility.integrated_door.zps_timeout",
                        timed,
                        DOOR_BAR,
                        backend=backend,
                        problems=[]
                        if admitted == len(again)
                        else [f"{admitted}/{len(again)} admitted from the snapshot"],
                        note=f"ZPS answers in {SLOW_ZPS_S * 1000:.0f} ms; the door gives up at "
                        f"{settings.zps_timeout_seconds * 1000:.0f} ms and decides from the "
                        "last-known benefit",
                    )
                )
        finally:
            container.dispose()
    return figures


def _offline(data_dir: Path, quick: bool) -> Figure:
    rng = random.Random(5)
    snap = snapshot(rng)
    # Every other member has no membership: only their benefit snapshot admits them.
    covered = {m.id for m in snap.members[::2]}
    snap = snap.model_copy(
        update={"memberships": [m for m in snap.memberships if m.member_id not in covered]}
    )
    core = kiosk(data_dir, snap)
    try:
        now = snap.server_time
        with core.store.transaction() as conn:
            rows = BenefitRows(conn)
            for member_id in covered:
                rows.upsert(
                    {
                        "id": str(member_id),
                        "member_id": str(member_id),
                        "eligible": True,
                        "reason": "employer wellness",
                        "benefit_id": "ben-1",
                        "valid_until": (now + timedelta(hours=20)).isoformat(),
                        "checked_at": (now - timedelta(hours=3)).isoformat(),
                    }
                )
        count = 200 if quick else 3_000
        members = rng.sample(sorted(covered), count + 1)
        core.checkin.check_in(members[0], CheckinMethod.CARD)  # warm up
        timed = time_each(lambda m: core.checkin.check_in(m, CheckinMethod.CARD), members[1:])
        admitted = sum(1 for outcome in timed.results if outcome.admitted and outcome.staff_note)
        return timed_figure(
            "eligibility.integrated_door.offline",
            timed,
            DOOR_BAR,
            problems=[] if admitted == count else [f"{admitted}/{count} admitted on the snapshot"],
            note="kiosk, 10,000 members cached, 5,000 with only a ZPS benefit snapshot: "
            "memberships refuse, the snapshot admits, one fsync'd transaction records it",
        )
    finally:
        core.close()


@benchmark("eligibility.integrated_door")
def integrated_door(ctx: Context) -> Iterator[Figure]:
    count = 20 if ctx.quick else 200
    yield from _online(sqlite_url(ctx.tmp_dir / "sqlite"), ctx.tmp_dir / "sqlite", count, "sqlite")
    if ctx.postgres_url:
        with fresh_postgres_database(ctx.postgres_url) as url:
            yield from _online(url, ctx.tmp_dir / "postgresql", count, "postgresql")
    yield _offline(ctx.tmp_dir / "kiosk", ctx.quick)
