"""Wiring for the kiosk process: the one place that builds and connects the parts.

Heavy modules (Qt, httpx, keyring, argon2) are imported where they are first needed, so the
window appears quickly; the network is first touched by the sync worker, after it shows.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, NoReturn

from desktop.config import KioskSettings
from shared.clock import utcnow

if TYPE_CHECKING:
    import httpx
    from PySide6.QtWidgets import QApplication

    from desktop.core.checkin.model import Decider
    from desktop.core.credentials import CredentialStore
    from desktop.core.kiosk import KioskCore
    from desktop.core.scanning import PassScanner
    from desktop.core.store import Store
    from desktop.core.sync.connection import HttpFactory
    from desktop.ui.main_window import MainWindow
    from desktop.workers.camera_worker import CameraWorker
    from desktop.workers.sync_worker import SyncWorker
    from desktop.workers.tasks import TaskRunner

log = logging.getLogger(__name__)

#: Logged once the kiosk window is shown and its event loop runs.
WINDOW_READY = "Kiosk window ready"
#: How long the worker threads get to stop when the kiosk closes. A service manager kills a
#: process that takes much longer; a request in flight is abandoned after this.
SHUTDOWN_THREADS_MS = 2_000


def build_core(settings: KioskSettings, http_client: httpx.Client | None = None) -> KioskCore:
    """The kiosk core over the data directory in ``settings``.

    With ``http_client`` every server call goes through that client whatever the URL (tests
    pass one backed by ``httpx.MockTransport`` or FastAPI's ``TestClient``); it is not
    closed by the core.
    """
    from desktop.core.checkin.eligibility import shared_rules_decider
    from desktop.core.credentials import open_credential_store
    from desktop.core.store import Store

    if not settings.data_dir.exists():
        # Owner-only: the cache holds personal data, and maybe the device credential.
        settings.data_dir.mkdir(parents=True, mode=0o700)
    credentials = open_credential_store(settings.credential_store, settings.data_dir)
    store = Store(settings.database_path)
    if http_client is not None:
        injected = http_client
        return compose_core(
            store=store,
            credentials=credentials,
            http_factory=lambda _url: injected,
            server_url=settings.server_url,
            close_http=False,
            decider=shared_rules_decider,
        )

    def http_factory(url: str) -> httpx.Client:
        import httpx

        timeout = settings.request_timeout_seconds
        return httpx.Client(base_url=url, timeout=httpx.Timeout(timeout, connect=min(timeout, 5)))

    return compose_core(
        store=store,
        credentials=credentials,
        http_factory=http_factory,
        server_url=settings.server_url,
        decider=shared_rules_decider,
    )


def compose_core(
    *,
    store: Store,
    credentials: CredentialStore,
    http_factory: HttpFactory,
    server_url: str | None = None,
    close_http: bool = True,
    now: Callable[[], datetime] = utcnow,
    monotonic: Callable[[], float] = time.monotonic,
    decider: Decider | None = None,
) -> KioskCore:
    """Build the kiosk core's parts over an open store and connect them.

    ``close_http``: False when ``http_factory`` hands out one client the caller closes.
    ``decider``: the eligibility rules; without them every check-in is refused, saying so.
    ``monotonic`` times the check-in screen's double-scan guard.
    """
    from desktop.core.checkin.actions import CheckinActions
    from desktop.core.checkin.outbox import OutboxWriter
    from desktop.core.checkin.search import MemberSearch
    from desktop.core.checkin.service import CheckinService
    from desktop.core.checkin.typed_pass import TypedPassReader
    from desktop.core.kiosk import KioskCore
    from desktop.core.sessions.actions import SessionActions
    from desktop.core.sessions.service import SessionService
    from desktop.core.sync.apply import kiosk_appliers
    from desktop.core.sync.connection import ServerConnection
    from desktop.core.sync.engine import SyncEngine
    from desktop.core.sync.kiosk_sync import KioskSync

    outbox = OutboxWriter(store, now)
    checkins = CheckinService(
        store=store, decider=decider, outbox=outbox, now=now, monotonic=monotonic
    )
    sessions = SessionService(store=store, checkins=checkins, outbox=outbox, now=now)
    search = MemberSearch(store.connection, sessions.local_today)
    connection = ServerConnection(
        store=store,
        credentials=credentials,
        http_factory=http_factory,
        server_url=server_url,
        close_http=close_http,
    )
    engine = SyncEngine(
        store=store,
        client=connection.client,
        target=connection.sync_target,
        now=now,
        appliers=kiosk_appliers(),
    )
    return KioskCore(
        store=store,
        credentials=credentials,
        connection=connection,
        outbox=outbox,
        checkin=CheckinActions(
            store=store,
            search=search,
            checkins=checkins,
            into_booked_class=sessions.check_in_if_booked,
            outbox=outbox,
            now=now,
        ),
        sessions=SessionActions(
            sessions=sessions, search=search, passes=TypedPassReader(store, now)
        ),
        sync=KioskSync(
            store=store, credentials=credentials, connection=connection, engine=engine, now=now
        ),
        now=now,
    )


def enrol(
    settings: KioskSettings,
    server_url: str,
    code: str,
    device_name: str,
    http_client: httpx.Client | None = None,
) -> None:
    """Enrol this kiosk from a command line (no Qt). Raises with a readable message on failure.

    Errors: :class:`~desktop.core.kiosk.EnrolmentInputError`,
    :class:`~desktop.core.sync.ServerError` (``ServerRejected.detail`` is the server's words),
    :class:`~desktop.core.credentials.CredentialStoreError`.
    """
    core = build_core(settings, http_client)
    try:
        status = core.enrol(server_url, code, device_name)
    finally:
        core.close()
    if status.last_error:
        log.warning("Enrolled, but the first download failed: %s", status.last_error)


def run(settings: KioskSettings) -> int:
    """Open the kiosk window and run until it is closed; returns the exit status."""
    from PySide6.QtWidgets import QApplication

    from desktop.ui.main_window import MainWindow
    from desktop.ui.style import apply_style
    from desktop.workers.sync_worker import SyncWorker
    from desktop.workers.tasks import TaskRunner

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    _exit_on_signals(app)
    app.setApplicationName("ZMOS Kiosk")
    apply_style(app)
    core = build_core(settings)
    tasks = TaskRunner()

    window = MainWindow(
        core,
        tasks=tasks,
        kiosk_mode=settings.fullscreen,
        default_server_url=settings.server_url or "",
        default_device_name=socket.gethostname(),
    )
    window.present()
    from PySide6.QtCore import QTimer

    # Fires on the event loop's first turn, once the window is up and answering; the
    # kiosk.start benchmark (and anyone watching the log) times start-up by this line.
    QTimer.singleShot(0, lambda: log.info(WINDOW_READY))

    worker = SyncWorker(core, interval_seconds=settings.sync_interval_seconds)
    connect_worker(window, worker)
    tasks.start_worker(worker, "zmos-sync")
    # After the window is up: loading numpy and OpenCV would only delay it.
    QTimer.singleShot(0, lambda: start_camera(window, core, settings.camera_index, tasks))

    try:
        status = int(app.exec())
    finally:
        stopped = tasks.shutdown(SHUTDOWN_THREADS_MS)
        if stopped:
            core.close()
        else:
            core.store.close()  # lets a write in progress commit; the stuck thread keeps its client
    if not stopped:
        _leave_now(status)
    return status


def pass_scanner(core: KioskCore) -> PassScanner | None:
    """A scanner verifying passes against this kiosk's cached keys; None before enrolment."""
    from datetime import UTC, tzinfo
    from zoneinfo import ZoneInfo

    from desktop.core.scanning import PassScanner

    device = core.device()
    if device is None:
        return None
    location = core.location()
    tz: tzinfo = ZoneInfo(location.timezone) if location is not None else UTC
    return PassScanner(core.checkin.pass_keyring(), device.tenant_id, tz=tz)


def start_camera(
    window: MainWindow, core: KioskCore, index: int, tasks: TaskRunner
) -> CameraWorker | None:
    """The camera on a thread of its own, feeding the check-in screen through signals."""
    if index < 0:
        return None
    from desktop.workers.camera_worker import CameraWorker

    worker = CameraWorker(lambda: pass_scanner(core), device_index=index)
    window.connect_camera(worker)
    tasks.start_worker(worker, "zmos-camera")
    return worker


def _exit_on_signals(app: QApplication) -> None:
    """SIGINT/SIGTERM (Ctrl+C, system shutdown) end the program even in kiosk mode.

    ``exit`` rather than ``quit``: quit asks the windows, and kiosk mode refuses to close.
    Qt's event loop runs in C++, so a timer lets Python notice the signal.
    """
    import signal

    from PySide6.QtCore import QTimer

    # Through the event loop: before ``exec`` has started, ``exit`` alone would be lost.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: QTimer.singleShot(0, lambda: app.exit(0)))
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(250)


def _leave_now(status: int) -> NoReturn:
    """Exit although a thread is still blocked (on a request that has not timed out yet).

    Its store is closed and nothing it could still do is lost: an unanswered push stays in
    the outbox and goes again. Python's own exit would wait for it, and Qt would abort when
    the still-running QThread is destroyed.
    """
    log.info("Stopped without waiting for a request still in flight")
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def connect_worker(window: MainWindow, worker: SyncWorker) -> None:
    """Connect the sync worker and the window to each other (signals only)."""
    worker.status_changed.connect(window.on_sync_status)
    worker.status_report.connect(window.status.show_status)
    worker.snapshot_updated.connect(window.on_snapshot_updated)
    window.refresh_requested.connect(worker.refresh_now)


def main(argv: Sequence[str] | None = None) -> int:
    """``zmos kiosk`` / ``python -m desktop``."""
    parser = argparse.ArgumentParser(prog="zmos kiosk", description="ZMOS front-desk kiosk")
    parser.add_argument("--data-dir", help="folder for the kiosk's database and files")
    parser.add_argument("--server", help="server address, e.g. http://127.0.0.1:8000")
    parser.add_argument("--enrol", metavar="CODE", help="enrol with this code, then start")
    parser.add_argument("--device-name", default=None, help="name of this kiosk (for --enrol)")
    parser.add_argument("--windowed", action="store_true", help="no full-screen kiosk mode")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    overrides: dict[str, object] = {}
    if args.data_dir:
        overrides["data_dir"] = args.data_dir
    if args.server:
        overrides["server_url"] = args.server
    if args.windowed:
        overrides["fullscreen"] = False
    settings = KioskSettings(**overrides)  # type: ignore[arg-type]

    if args.enrol:
        if not settings.server_url:
            parser.error("--enrol needs --server (or ZMOS_KIOSK_SERVER_URL)")
        try:
            enrol(
                settings, settings.server_url, args.enrol, args.device_name or socket.gethostname()
            )
        except Exception as exc:
            if not _is_expected(exc):
                raise
            print(f"Enrolment failed: {exc}", file=sys.stderr)
            return 2
        print("Enrolled.", file=sys.stderr)
    try:
        return run(settings)
    except Exception as exc:
        if not _is_expected(exc):
            raise
        print(f"The kiosk cannot start: {exc}", file=sys.stderr)
        return 1


def _is_expected(exc: Exception) -> bool:
    """Errors with a message meant for people (shown without a traceback)."""
    from desktop.core.kiosk import user_message

    return user_message(exc) is not None
