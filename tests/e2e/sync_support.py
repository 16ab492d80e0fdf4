"""Helpers for the sync fault tests (no tests here), and a kiosk process to SIGKILL:

    python -m tests.e2e.sync_support DATA_DIR COUNT

opens the enrolled kiosk in DATA_DIR, records COUNT check-ins, prints "recorded" and pushes
until the outbox is empty (printing "pushed"); the test kills it somewhere in between.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from desktop.app import compose_core
from desktop.config import KioskSettings
from desktop.core.checkin.eligibility import shared_rules_decider
from desktop.core.credentials import open_credential_store
from desktop.core.kiosk import KioskCore
from desktop.core.store import OutboxRepository, Store
from shared.clock import utcnow
from shared.enums import CheckinMethod

PASSWORD = "correct horse battery"


class Provider:
    """A tenant signed up over HTTP, with one location, a plan and members."""

    def __init__(self, url: str, slug: str = "sync-gym") -> None:
        self.url = url
        body = {
            "name": "Sync Gym",
            "slug": slug,
            "currency": "GHS",
            "owner": {"name": "Owner", "email": f"owner@{slug}.example", "password": PASSWORD},
        }
        signed_up = httpx.post(f"{url}/tenants", json=body, timeout=30)
        assert signed_up.status_code == 201, signed_up.text
        self.headers = {"Authorization": f"Bearer {signed_up.json()['tokens']['access_token']}"}
        location = self.post(
            "/locations",
            {"name": "Riverside", "timezone": "Europe/London", "opening_hours": {}},
        )
        self.location_id: str = location["id"]
        plan = {"name": "Monthly", "kind": "recurring", "price": "45.00", "currency": "GBP"}
        self.plan_id: str = self.post("/plans", plan | {"billing_period": "month"})["id"]

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(f"{self.url}{path}", json=body, headers=self.headers, timeout=30)
        assert response.status_code in (200, 201), response.text
        result: dict[str, Any] = response.json()
        return result

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        response = httpx.get(f"{self.url}{path}", params=params, headers=self.headers, timeout=30)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def add_member(self, first: str, last: str) -> str:
        member_id: str = self.post("/members", {"first_name": first, "last_name": last})["id"]
        starts = (date.today() - timedelta(days=1)).isoformat()
        self.post(
            f"/members/{member_id}/memberships", {"plan_id": self.plan_id, "starts_on": starts}
        )
        return member_id

    def enrolment_code(self) -> str:
        code: str = self.post(f"/locations/{self.location_id}/enrolment-codes")["code"]
        return code

    def checkins(self) -> list[dict[str, Any]]:
        """Every check-in of the location, as the staff API lists them."""
        found: list[dict[str, Any]] = []
        offset: int | None = 0
        while offset is not None:
            page = self.get("/checkins", location_id=self.location_id, limit=500, offset=offset)
            found.extend(page["items"])
            offset = page["next_offset"]
        return found


def settings_for(data_dir: Path) -> KioskSettings:
    return KioskSettings(data_dir=data_dir, credential_store="file", request_timeout_seconds=5)


def open_core(
    data_dir: Path, now: Callable[[], datetime] = utcnow, server_url: str | None = None
) -> KioskCore:
    """The real kiosk core over ``data_dir``, with its own HTTP clients and clock."""
    settings = settings_for(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    def http(url: str) -> httpx.Client:
        return httpx.Client(base_url=url, timeout=httpx.Timeout(10.0, connect=2.0))

    return compose_core(
        store=Store(settings.database_path),
        credentials=open_credential_store("file", settings.data_dir),
        http_factory=http,
        server_url=server_url,
        now=now,
        decider=shared_rules_decider,
    )


def enrolled_core(provider: Provider, data_dir: Path, **kwargs: Any) -> KioskCore:
    core = open_core(data_dir, **kwargs)
    status = core.enrol(provider.url, provider.enrolment_code(), "Front desk")
    assert status.last_error is None, status.last_error
    return core


def record_checkins(core: KioskCore, count: int) -> list[uuid.UUID]:
    """``count`` check-ins at the desk, spread over the cached members."""
    members = [h.member_id for h in core.checkin.search_members("member", limit=100)]
    assert members, "no cached members"
    ids = []
    for i in range(count):
        member_id = members[i % len(members)]
        core.checkin.forget(member_id)  # the desk's five-second repeat guard
        outcome = core.checkin.check_in(member_id, CheckinMethod.SEARCH)
        assert outcome.checkin_id is not None
        ids.append(outcome.checkin_id)
    return ids


def pending(core: KioskCore) -> int:
    return OutboxRepository(core.store.connection()).pending_count()


def local_checkin_ids(data_dir: Path) -> set[str]:
    store = Store(settings_for(data_dir).database_path)
    try:
        rows = store.connection().execute("SELECT id FROM local_checkin").fetchall()
        return {r["id"] for r in rows}
    finally:
        store.close()


def import_members(provider: Provider, names: list[tuple[str, str]]) -> None:
    """Members made in one request (``POST /members/import``): one pull change each."""
    csv = "first_name,last_name\n" + "".join(f"{first},{last}\n" for first, last in names)
    headers = provider.headers | {"Content-Type": "text/csv"}
    response = httpx.post(
        f"{provider.url}/members/import", content=csv.encode(), headers=headers, timeout=300
    )
    response.raise_for_status()


def kiosk_cursor(data_dir: Path) -> int:
    """The pull cursor the kiosk database holds (read from outside the kiosk's process)."""
    store = Store(settings_for(data_dir).database_path)
    try:
        return int(store.connection().execute("SELECT cursor FROM sync_state").fetchone()[0])
    finally:
        store.close()


def _pull_main(data_dir: str, page_size: str) -> int:
    """A kiosk process that pulls in small pages until up to date."""
    core = open_core(Path(data_dir))
    try:
        core.sync.engine.page_size = int(page_size)
        print("pulling", flush=True)
        if core.sync.pull() is None:
            print(f"pull failed: {core.sync.status().last_error}", flush=True)
            return 1
        print("pulled", flush=True)
    finally:
        core.close()
    return 0


def _main(data_dir: str, count: str) -> int:
    core = open_core(Path(data_dir))
    try:
        record_checkins(core, int(count))
        print("recorded", flush=True)
        while pending(core):
            result = core.sync.push()
            if result is None:
                print(f"push failed: {core.sync.status().last_error}", flush=True)
                return 1
        print("pushed", flush=True)
    finally:
        core.close()
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "pull":
        sys.exit(_pull_main(*sys.argv[2:]))
    sys.exit(_main(*sys.argv[1:]))
