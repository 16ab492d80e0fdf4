from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything imports Qt

import signal
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from desktop.app import build_core
from desktop.config import KioskSettings
from desktop.core.kiosk import KioskCore
from tests.unit.desktop.kiosk_fakes import ENROL_CODE, FakeServer


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Leave the application as the test found it. ``desktop.app.run`` runs the
    application's own event loop and installs the program's SIGINT/SIGTERM handlers, as the
    kiosk must; in a test process (a pytest-xdist worker runs many tests) neither may last:

    - a Quit event still posted when that loop ended is delivered later, outside any loop
      (pytest-qt processes events between tests), and from then on every nested event loop
      (``qtbot.waitUntil``, ``waitSignal``) of the process returns at once;
    - handlers that ask a finished application to exit would keep Ctrl+C and SIGTERM from
      stopping the process.

    Here, right after the test and before pytest-qt's teardown delivers anything.
    """
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        return (yield)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        application = QCoreApplication.instance()
        if application is not None:
            QCoreApplication.removePostedEvents(application, QEvent.Type.Quit)


@pytest.fixture(autouse=True)
def _no_window_left_open() -> None:
    """Start each test with no window on screen. A test that ends with a dialog still open
    (a sale, a PIN prompt) would otherwise leave it active, holding the keyboard focus, in
    the worker process: a later test's scanner keys, sent wherever the focus is, would reach
    that stale dialog instead of the window under test, and fail only in some test orders.
    Hidden, not closed: their cores are closed already and a close handler may need them.
    """
    application = QApplication.instance()
    if not isinstance(application, QApplication):
        return
    for widget in application.topLevelWidgets():
        if widget.isVisible():
            widget.hide()
    focus = application.focusWidget()
    if focus is not None:  # a hidden window may keep it on some platforms (offscreen)
        focus.clearFocus()
    application.processEvents()


@pytest.fixture
def fake_server() -> FakeServer:
    return FakeServer(timezone="Pacific/Auckland")


@pytest.fixture
def settings(tmp_path: Path) -> KioskSettings:
    return KioskSettings(data_dir=tmp_path / "kiosk", credential_store="file")


@pytest.fixture
def core(settings: KioskSettings, fake_server: FakeServer) -> Iterator[KioskCore]:
    http = fake_server.client()
    kiosk = build_core(settings, http_client=http)
    yield kiosk
    kiosk.close()
    http.close()


@pytest.fixture
def enrolled_core(core: KioskCore) -> KioskCore:
    core.enrol("http://zmos.test", ENROL_CODE, "Front desk 1")
    return core
