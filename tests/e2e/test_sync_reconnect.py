"""A kiosk with a real `zmos server` on loopback: after an outage long enough for its retries
to back off to a minute, it is back to "All synced" within 5 s of the server's return."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.core.sync import OFFLINE_MESSAGE
from desktop.core.sync.backoff import Backoff
from desktop.core.sync.kiosk_sync import KioskStatus
from desktop.core.sync.status_text import status_message
from desktop.workers.sync_worker import SyncWorker
from desktop.workers.tasks import TaskRunner
from tests.e2e.conftest import ServerProcess, start_server
from tests.e2e.sync_support import Provider, enrolled_core, pending, record_checkins

pytestmark = pytest.mark.slow


def test_back_to_all_synced_within_5_s_of_the_server_returning(
    qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    provider = Provider(server.url)
    for i in range(5):
        provider.add_member("Member", f"No{i:03d}")
    core = enrolled_core(provider, tmp_path / "kiosk")
    reports: list[KioskStatus] = []
    tasks = TaskRunner()
    worker = SyncWorker(core, interval_seconds=60, long_poll_seconds=1.0)
    # As after a long outage: every retry of push and pull now waits a full minute.
    worker._push_backoff = Backoff(base=60.0, cap=60.0, rng=lambda: 1.0)
    worker._pull_backoff = Backoff(base=60.0, cap=60.0, rng=lambda: 1.0)
    worker.status_report.connect(reports.append)
    tasks.start_worker(worker, "zmos-sync")
    again: ServerProcess | None = None
    try:
        qtbot.waitUntil(lambda: bool(reports) and reports[-1].online is True, timeout=10_000)
        server.stop()
        record_checkins(core, 3)
        qtbot.waitUntil(lambda: reports[-1].online is False, timeout=10_000)
        assert status_message(reports[-1]) == OFFLINE_MESSAGE
        time.sleep(3)  # the outage goes on: probes find nobody
        record_checkins(core, 2)  # scans while a retry waits
        assert pending(core) == 5
        again = start_server(server.log.parent, port=int(server.url.rsplit(":", 1)[1]))
        back = time.monotonic()

        def all_synced() -> bool:
            last = reports[-1]  # what the status bar shows: "Online", "All synced"
            return last.online is True and last.pending_count == 0 and pending(core) == 0

        qtbot.waitUntil(all_synced, timeout=5_000)
        assert time.monotonic() - back <= 5.0
        assert len(provider.checkins()) == 5
    finally:
        assert tasks.stop_worker(worker, 5000)
        if again is not None:
            again.stop()
        core.close()
