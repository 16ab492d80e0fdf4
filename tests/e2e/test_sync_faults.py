"""Sync faults with real processes on loopback: a real `zmos server`, the real kiosk core
(sometimes in its own process), SIGKILLs, restarts and flapping."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.core.kiosk import KioskCore
from tests.e2e.conftest import ServerProcess, start_server
from tests.e2e.sync_support import (
    Provider,
    enrolled_core,
    import_members,
    kiosk_cursor,
    local_checkin_ids,
    open_core,
    pending,
    record_checkins,
)
from tests.waiting import wait_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def port_of(server: ServerProcess) -> int:
    return int(server.url.rsplit(":", 1)[1])


def restart(server: ServerProcess) -> ServerProcess:
    return start_server(server.log.parent, port=port_of(server))


def provider_with_members(url: str, count: int = 10) -> Provider:
    provider = Provider(url)
    for i in range(count):
        provider.add_member("Member", f"No{i:03d}")
    return provider


def assert_exactly_once(provider: Provider, expected: set[str]) -> None:
    on_server = Counter(c["id"] for c in provider.checkins())
    doubled = {k: n for k, n in on_server.items() if n > 1}
    assert doubled == {}
    assert set(on_server) == expected


def test_a_200_offline_checkins_arrive_exactly_once(server: ServerProcess, tmp_path: Path) -> None:
    provider = provider_with_members(server.url)
    core = enrolled_core(provider, tmp_path / "kiosk")
    try:
        server.stop()
        ids = {str(i) for i in record_checkins(core, 200)}
        assert core.sync.push() is None  # offline: nothing leaves, nothing is lost
        assert core.sync.status().online is False
        assert pending(core) == 200
        again = restart(server)
        try:
            result = core.sync.push()
            assert result is not None and result.acknowledged == 200
            assert pending(core) == 0
            assert_exactly_once(provider, ids)
            # A replay of everything (as after a lost answer) changes nothing.
            assert core.sync.push() is not None
            assert_exactly_once(provider, ids)
        finally:
            again.stop()
    finally:
        core.close()


def test_c_server_killed_mid_batch_then_the_batch_is_resent_exactly_once(
    server: ServerProcess, tmp_path: Path
) -> None:
    provider = provider_with_members(server.url)
    core = enrolled_core(provider, tmp_path / "kiosk")
    try:
        ids = {str(i) for i in record_checkins(core, 3000)}
        pusher = threading.Thread(target=core.sync.push)
        pusher.start()
        # Kill as soon as the server has applied part of the outbox, mid-stream.
        wait_for(lambda: pending(core) < 3000, timeout=30, interval=0.005)
        server.stop(signal.SIGKILL)
        pusher.join(timeout=30)
        left = pending(core)
        assert 0 < left < 3000, "the kill should land mid-sync"
        assert core.sync.status().online is False
        again = restart(server)
        try:
            assert core.sync.push() is not None
            assert pending(core) == 0
            assert_exactly_once(provider, ids)
        finally:
            again.stop()
    finally:
        core.close()


def test_b_kiosk_killed_mid_push_loses_and_doubles_nothing(
    server: ServerProcess, tmp_path: Path
) -> None:
    provider = provider_with_members(server.url)
    data_dir = tmp_path / "kiosk"
    enrolled_core(provider, data_dir).close()
    kiosk = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.sync_support", str(data_dir), "2500"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert kiosk.stdout is not None
    assert kiosk.stdout.readline().strip() == "recorded"
    # Kill as soon as the server has applied part of a batch the kiosk sent: between
    # sending and acknowledgement, or with later batches still to go.
    wait_for(
        lambda: bool(provider.get("/checkins", location_id=provider.location_id, limit=1)["items"]),
        timeout=30,
        interval=0,
    )
    kiosk.send_signal(signal.SIGKILL)
    kiosk.wait(timeout=10)
    recorded = local_checkin_ids(data_dir)
    assert len(recorded) == 2500
    core = open_core(data_dir)
    try:
        assert pending(core) > 0, "the kill should land before the outbox drained"
        assert core.sync.push() is not None
        assert pending(core) == 0
        assert_exactly_once(provider, recorded)
    finally:
        core.close()


def _cached_imports(core: KioskCore) -> tuple[int, int]:
    """(rows, distinct ids) of the imported members in the kiosk's cache, and no name token
    listed twice for a member."""
    conn = core.store.connection()
    rows, distinct = conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT id) FROM cached_member WHERE first_name = 'Imported'"
    ).fetchone()
    doubled = conn.execute(
        """SELECT COUNT(*) FROM (SELECT token, member_id FROM cached_member_token
           GROUP BY token, member_id HAVING COUNT(*) > 1)"""
    ).fetchone()[0]
    assert doubled == 0
    return int(rows), int(distinct)


def test_b_kiosk_killed_mid_pull_loses_and_doubles_nothing(
    server: ServerProcess, tmp_path: Path
) -> None:
    provider = provider_with_members(server.url)
    data_dir = tmp_path / "kiosk"
    core = enrolled_core(provider, data_dir)
    waiting = {str(i) for i in record_checkins(core, 20)}  # in the outbox, not yet pushed
    start = core.sync.cursor()[0]
    core.close()
    count = 3000
    import_members(provider, [("Imported", f"No{i:05d}") for i in range(count)])
    kiosk = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.sync_support", "pull", str(data_dir), "25"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert kiosk.stdout is not None
    assert kiosk.stdout.readline().strip() == "pulling"
    # Kill once some pages are in: between two pages, or while one is being applied.
    wait_for(lambda: kiosk_cursor(data_dir) >= start + 200, timeout=30, interval=0.002)
    kiosk.send_signal(signal.SIGKILL)
    kiosk.wait(timeout=10)
    core = open_core(data_dir)
    try:
        cursor = core.sync.cursor()[0]
        assert start < cursor < start + count, "the kill should land mid-pull"
        # Each page and its cursor in one transaction: exactly the changes up to the
        # cursor are applied (one change per imported member), none twice.
        assert _cached_imports(core) == (cursor - start, cursor - start)
        assert pending(core) == len(waiting)  # a pull never touches the outbox
        assert core.sync.pull() == start + count - cursor  # the rest, from the cursor on
        assert core.sync.cursor()[0] == start + count
        assert _cached_imports(core) == (count, count)
        assert core.sync.push() is not None and pending(core) == 0
        assert_exactly_once(provider, waiting)
    finally:
        core.close()


def _sync_until_stopped(core: KioskCore, stop: threading.Event) -> None:
    while not stop.is_set():
        core.sync.push()
        core.sync.pull()
        stop.wait(0.05)


def test_d_flapping_connection_drains_the_outbox_and_converges(
    server: ServerProcess, tmp_path: Path
) -> None:
    provider = provider_with_members(server.url, 5)
    core = enrolled_core(provider, tmp_path / "kiosk")
    stop = threading.Event()
    syncer = threading.Thread(target=_sync_until_stopped, args=(core, stop))
    try:
        server.stop()
        ids = {str(i) for i in record_checkins(core, 300)}
        for i in range(5):
            walkin = core.checkin.register_walkin("Walk", f"In{i}", f"0700 900 00{i}")
            assert walkin.member is not None
        syncer.start()
        current = server
        for i in range(4):
            current = restart(current)
            provider.add_member("Added", f"While{i}")  # a server-side change to pull
            # Up until the kiosk has reached this server, down until it has noticed.
            wait_for(lambda: core.sync.status().online is True, timeout=30)
            current.stop(signal.SIGKILL if i % 2 else signal.SIGTERM)
            wait_for(lambda: core.sync.status().online is False, timeout=30)
        current = restart(current)
        try:
            wait_for(lambda: pending(core) == 0, timeout=60, interval=0.1)
            stop.set()
            syncer.join(timeout=30)
            assert core.sync.pull() is not None
            assert pending(core) == 0
            assert_exactly_once(provider, ids)
            server_members = {m["id"] for m in provider.get("/members", limit=500)["items"]}
            conn = core.store.connection()
            kiosk_members = {
                r["id"]
                for r in conn.execute(
                    "SELECT id FROM cached_member UNION SELECT id FROM local_member"
                )
            }
            assert kiosk_members == server_members
            assert len(server_members) == 5 + 5 + 4
            local_left = conn.execute("SELECT COUNT(*) FROM local_member").fetchone()[0]
            assert local_left == 0  # acknowledged walk-ins gave way to the server's rows
            for member_id in server_members:
                on_server = provider.get(f"/members/{member_id}/memberships")["items"]
                kiosk_ms = conn.execute(
                    "SELECT id FROM cached_membership WHERE member_id = ?", (member_id,)
                )
                assert {r["id"] for r in kiosk_ms} == {m["id"] for m in on_server}
        finally:
            current.stop()
    finally:
        stop.set()
        if syncer.is_alive():
            syncer.join(timeout=30)
        core.close()


@pytest.mark.parametrize("offset", [timedelta(hours=-1), timedelta(hours=1)])
def test_e_kiosk_clock_off_by_an_hour_and_in_2099(
    server: ServerProcess, tmp_path: Path, offset: timedelta
) -> None:
    provider = provider_with_members(server.url, 3)
    clock = {"offset": offset}

    def now() -> datetime:
        return datetime.now(UTC) + clock["offset"]

    core = enrolled_core(provider, tmp_path / "kiosk", now=now)
    try:
        skewed = record_checkins(core, 3)
        clock["offset"] = datetime(2099, 1, 1, tzinfo=UTC) - datetime.now(UTC)
        future = record_checkins(core, 1)
        clock["offset"] = timedelta(0)
        right = record_checkins(core, 1)
        sent_at = datetime.now(UTC)
        result = core.sync.push()
        assert result is not None and result.acknowledged == 5 and result.rejected == 0
        by_id = {c["id"]: c for c in provider.checkins()}
        assert set(by_id) == {str(i) for i in skewed + future + right}

        def at(checkin_id: object) -> datetime:
            return datetime.fromisoformat(by_id[str(checkin_id)]["occurred_at"])

        for checkin_id in skewed:
            if offset < timedelta(0):  # an hour behind: kept as the kiosk said
                assert abs(at(checkin_id) - (sent_at + offset)) < timedelta(minutes=2)
            else:  # an hour ahead is "far in the future": recorded at server time
                assert abs(at(checkin_id) - sent_at) < timedelta(minutes=2)
        assert abs(at(future[0]) - sent_at) < timedelta(minutes=2)  # 2099 clamped
        assert core.sync.pull() is not None
        assert core.sync.status().open_reviews >= 1  # the clock is flagged for staff
        reviews = provider.get("/review-items")["items"]
        assert any("far in the future" in r["summary"] for r in reviews)
    finally:
        core.close()
