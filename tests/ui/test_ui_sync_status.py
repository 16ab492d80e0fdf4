"""The sync status in the status bar, and the sync worker driving it: push on write, changes
seen while online, offline with backoff, a clean stop."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pytestqt.qtbot import QtBot

from desktop.app import connect_worker
from desktop.core.kiosk import KioskCore
from desktop.core.sync import OFFLINE_MESSAGE, REVOKED_MESSAGE
from desktop.core.sync.backoff import Backoff
from desktop.core.sync.kiosk_sync import KioskStatus
from desktop.ui.main_window import MainWindow
from desktop.ui.status_bar import SAVED_DATA_NOTE, KioskStatusBar
from desktop.ui.views.pending_label import PendingLabel
from desktop.workers.sync_worker import SyncWorker
from desktop.workers.tasks import TaskRunner
from tests.unit.desktop.sync_fakes import SyncFakeServer, queue_checkins

NOW = datetime(2025, 1, 8, 9, 15, tzinfo=UTC)
FINE = KioskStatus(
    enrolled=True,
    online=True,
    last_sync_at=NOW - timedelta(minutes=2),
    last_error=None,
    credential_warning=None,
    needs_enrolment=False,
)


@pytest.fixture
def fake_server() -> SyncFakeServer:
    return SyncFakeServer()


@pytest.fixture
def bar(qtbot: QtBot) -> KioskStatusBar:
    widget = KioskStatusBar()
    qtbot.addWidget(widget)
    return widget


def test_online_with_last_sync_and_review_items(bar: KioskStatusBar) -> None:
    bar.show_status(replace(FINE, open_reviews=2), NOW)
    assert bar.connection_label.text() == "● Online"
    assert bar.sync_label.text() == "Last sync: 2 min ago"
    assert bar.review_label.text() == "2 items to review"
    assert bar.message_label.text() == ""
    assert bar.sync_warning_label.isHidden()
    bar.show_status(replace(FINE, open_reviews=1), NOW)
    assert bar.review_label.text() == "1 item to review"
    bar.show_status(FINE, NOW)
    assert bar.review_label.isHidden()


def test_offline_says_so_in_words(bar: KioskStatusBar) -> None:
    bar.show_status(replace(FINE, online=False, last_error="Cannot reach the server"), NOW)
    assert bar.connection_label.text() == "● Offline"
    assert bar.message_label.text() == "Working from saved data · Cannot reach the server"


def test_offline_reason_and_saved_data_note_read_as_two_items(bar: KioskStatusBar) -> None:
    bar.show_status(replace(FINE, online=False, last_error=OFFLINE_MESSAGE), NOW)
    assert bar.message_label.text() == (
        "Working from saved data · The server cannot be reached; check-ins are kept and will "
        "be sent"
    )


def test_revoked_and_refused_warnings(bar: KioskStatusBar) -> None:
    revoked = replace(FINE, needs_enrolment=True, last_error=REVOKED_MESSAGE, pending_count=4)
    bar.show_status(revoked, NOW)
    assert not bar.sync_warning_label.isHidden()
    text = bar.sync_warning_label.text()
    assert text.startswith(REVOKED_MESSAGE)
    assert "4 action(s) not yet sent are kept here" in text
    refused = replace(FINE, rejected_count=2, rejected_reason="unknown member")
    bar.show_status(refused, NOW)
    assert bar.sync_warning_label.text() == (
        "2 actions were refused by the server (latest: unknown member)."
    )


def test_pending_label(qtbot: QtBot) -> None:
    label = PendingLabel()
    qtbot.addWidget(label)
    label.show_pending(0, None, NOW)
    assert label.text() == "All synced"
    label.show_pending(3, NOW - timedelta(minutes=3), NOW)
    assert label.text() == "Pending: 3 waiting to sync (oldest 3 min)"


def start_worker(qtbot: QtBot, core: KioskCore) -> tuple[MainWindow, SyncWorker, TaskRunner]:
    window = MainWindow(core, kiosk_mode=False)
    qtbot.addWidget(window)
    worker = SyncWorker(core, interval_seconds=60, long_poll_seconds=0.2)
    connect_worker(window, worker)
    worker.status_report.connect(window.status.show_status)
    window.tasks.start_worker(worker, "zmos-sync")
    return window, worker, window.tasks


def stop_worker(tasks: TaskRunner, worker: SyncWorker) -> None:
    """Quit the worker's thread: it stops (5 s is a safety net: a long-poll, the 60 s timer or
    a retry it waited for would outlast it)."""
    assert tasks.stop_worker(worker, 5000), "the sync worker did not stop"


def test_worker_pushes_on_write_and_sees_server_changes(
    qtbot: QtBot, enrolled_core: KioskCore, fake_server: SyncFakeServer
) -> None:
    window, worker, tasks = start_worker(qtbot, enrolled_core)
    try:
        member = fake_server.add_member("Ama", "Owusu")
        fake_server.emit("members", member, fake_server.members[-1])
        qtbot.waitUntil(lambda: bool(enrolled_core.checkin.search_members("ama")), timeout=3000)
        queue_checkins(enrolled_core, member, 3)  # each write nudges the worker
        qtbot.waitUntil(lambda: len(fake_server.applied) == 3, timeout=3000)
        qtbot.waitUntil(lambda: enrolled_core.sync.pending_count() == 0, timeout=3000)
        fake_server.emit("review_items", uuid.uuid4(), {"status": "open", "summary": "check"})
        qtbot.waitUntil(
            lambda: window.status.review_label.text() == "1 item to review", timeout=5000
        )
        assert window.status.connection_label.text() == "● Online"
    finally:
        stop_worker(tasks, worker)


def test_worker_goes_offline_backs_off_and_pushes_on_reconnect(
    qtbot: QtBot, enrolled_core: KioskCore, fake_server: SyncFakeServer
) -> None:
    fake_server.down = True
    window, worker, tasks = start_worker(qtbot, enrolled_core)
    try:
        member = fake_server.add_member("Kojo", "Asante")
        queue_checkins(enrolled_core, member, 2)
        qtbot.waitUntil(lambda: window.status.connection_label.text() == "● Offline", timeout=5000)
        assert enrolled_core.sync.pending_count() == 2
        fake_server.down = False
        qtbot.waitUntil(lambda: enrolled_core.sync.pending_count() == 0, timeout=10000)
        assert len(fake_server.applied) == 2
        qtbot.waitUntil(lambda: window.status.connection_label.text() == "● Online", timeout=5000)
    finally:
        stop_worker(tasks, worker)


def test_quitting_mid_long_poll_does_not_wait_for_the_server(
    qtbot: QtBot, enrolled_core: KioskCore, fake_server: SyncFakeServer
) -> None:
    original = fake_server._pull
    held, release = threading.Event(), threading.Event()
    pulling: list[threading.Thread] = []

    def held_pull(request: httpx.Request) -> httpx.Response:
        pulling.append(threading.current_thread())
        held.set()
        release.wait(timeout=30)  # the server holds the long-poll until the test lets go
        return original(request)

    fake_server._pull = held_pull  # type: ignore[method-assign]
    _window, worker, tasks = start_worker(qtbot, enrolled_core)
    try:
        qtbot.waitUntil(held.is_set, timeout=5000)
        stop_worker(tasks, worker)
        [listener] = pulling
        assert listener.is_alive()  # still in the held long-poll: quitting did not wait for it
    finally:
        release.set()
    # The abandoned long-poll ends on its own; the kiosk must not close under it.
    listener.join(timeout=10)
    assert not listener.is_alive()


def test_back_to_all_synced_within_5_s_of_the_server_returning(
    qtbot: QtBot, enrolled_core: KioskCore, fake_server: SyncFakeServer
) -> None:
    """After a long outage the retries have backed off to a minute; the probe must not wait
    for them. Scans made meanwhile stay pending and go with the first push."""
    fake_server.down = True
    window = MainWindow(enrolled_core, kiosk_mode=False)
    qtbot.addWidget(window)
    worker = SyncWorker(enrolled_core, interval_seconds=60, long_poll_seconds=0.2)
    # As after a long outage: every retry of push and pull now waits a full minute.
    worker._push_backoff = Backoff(base=60.0, cap=60.0, rng=lambda: 1.0)
    worker._pull_backoff = Backoff(base=60.0, cap=60.0, rng=lambda: 1.0)
    connect_worker(window, worker)
    worker.status_report.connect(window.status.show_status)
    window.tasks.start_worker(worker, "zmos-sync")
    try:
        member = fake_server.add_member("Kojo", "Asante")
        queue_checkins(enrolled_core, member, 2)
        qtbot.waitUntil(lambda: window.status.connection_label.text() == "● Offline", timeout=5000)
        assert window.status.message_label.text().startswith(
            f"{SAVED_DATA_NOTE} · {OFFLINE_MESSAGE}"
        )
        qtbot.wait(2500)  # the outage goes on; the probe keeps finding nobody
        queue_checkins(enrolled_core, member, 1)  # a scan while a retry waits
        assert enrolled_core.sync.pending_count() == 3
        fake_server.down = False
        back = time.monotonic()
        qtbot.waitUntil(lambda: window.pending_label.text() == "All synced", timeout=5000)
        qtbot.waitUntil(lambda: window.status.connection_label.text() == "● Online", timeout=5000)
        assert time.monotonic() - back <= 5.0
        assert len(fake_server.applied) == 3
        assert window.status.message_label.text() == ""
    finally:
        stop_worker(window.tasks, worker)


def test_a_healthy_server_that_fails_pushes_is_left_to_the_backoff(
    qtbot: QtBot, enrolled_core: KioskCore, fake_server: SyncFakeServer
) -> None:
    """The health check answers but every push gets a 503: the probe must not turn the
    backed-off retries into a push every probe period."""
    fake_server.down = True
    window = MainWindow(enrolled_core, kiosk_mode=False)
    qtbot.addWidget(window)
    worker = SyncWorker(
        enrolled_core, interval_seconds=60, long_poll_seconds=0.2, probe_seconds=0.1
    )
    worker._push_backoff = Backoff(base=60.0, cap=60.0, rng=lambda: 1.0)
    worker._pull_backoff = Backoff(base=60.0, cap=60.0, rng=lambda: 1.0)
    connect_worker(window, worker)
    window.tasks.start_worker(worker, "zmos-sync")
    try:
        member = fake_server.add_member("Kojo", "Asante")
        queue_checkins(enrolled_core, member, 1)
        qtbot.waitUntil(lambda: enrolled_core.sync.offline, timeout=5000)
        original = fake_server._push

        def failing_push(request: httpx.Request) -> httpx.Response:
            return httpx.Response(503, json={"detail": "database unavailable"})

        fake_server._push = failing_push  # type: ignore[method-assign]
        fake_server.down = False
        qtbot.waitUntil(lambda: ("POST", "/sync/push") in fake_server.requests, timeout=3000)
        qtbot.wait(1000)  # the probe's sync, and the listener's on its recovered pull
        pushes = fake_server.requests.count(("POST", "/sync/push"))
        qtbot.wait(1500)  # fifteen probe periods: the retry waits a minute, so do the probes
        assert fake_server.requests.count(("POST", "/sync/push")) == pushes <= 3
        assert enrolled_core.sync.pending_count() == 1
        fake_server._push = original  # type: ignore[method-assign]
    finally:
        stop_worker(window.tasks, worker)


def test_worker_fetches_a_changed_photo_in_the_background(
    qtbot: QtBot, enrolled_core: KioskCore, fake_server: SyncFakeServer
) -> None:
    from desktop.core.store.member_card import MemberCardRows

    _window, worker, tasks = start_worker(qtbot, enrolled_core)
    try:
        member = fake_server.add_member("Ama", "Owusu", photo_updated_at=NOW.isoformat())
        fake_server.thumbnails[str(member)] = b"\xff\xd8\xff\xe0 a small jpeg"
        fake_server.emit("members", member, fake_server.members[-1])

        def held() -> bytes | None:
            # The UI thread reads its own connection, as the result screen does.
            return MemberCardRows(enrolled_core.store.connection()).photo(member)

        qtbot.waitUntil(lambda: held() is not None, timeout=5000)
        assert held() == fake_server.thumbnails[str(member)]
        assert ("GET", f"/members/{member}/thumbnail") in fake_server.requests
    finally:
        stop_worker(tasks, worker)
