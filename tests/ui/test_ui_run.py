from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop import app
from desktop.config import KioskSettings
from desktop.ui.main_window import MainWindow


def test_run_opens_the_window_and_shuts_down_cleanly(qapp: QApplication, tmp_path: Path) -> None:
    settings = KioskSettings(
        data_dir=tmp_path, fullscreen=False, credential_store="file", sync_interval_seconds=0.05
    )
    seen: list[MainWindow] = []

    def look_then_quit() -> None:
        seen.extend(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        QApplication.quit()

    QTimer.singleShot(0, look_then_quit)  # as soon as the application's loop runs
    threads_before = threading.active_count()
    assert app.run(settings) == 0
    assert seen and seen[0].enrol_view is seen[0].views.currentWidget()
    assert threading.active_count() <= threads_before  # the sync thread has stopped
    for window in seen:
        window.deleteLater()


def test_a_stop_signal_while_the_kiosk_starts_is_not_lost(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM before the event loop runs (the window is still being built) still closes it."""
    settings = KioskSettings(
        data_dir=tmp_path, fullscreen=False, credential_store="file", camera_index=-1
    )
    present = MainWindow.present

    def present_then_signal(window: MainWindow) -> None:
        present(window)
        signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(MainWindow, "present", present_then_signal)
    gave_up: list[bool] = []
    guard = QTimer()
    guard.setSingleShot(True)

    def give_up() -> None:
        gave_up.append(True)
        QApplication.exit(3)

    guard.timeout.connect(give_up)
    guard.start(5_000)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        assert app.run(settings) == 0
    finally:
        guard.stop()
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    assert not gave_up, "the signal was lost: the kiosk kept running"
    for window in QApplication.topLevelWidgets():
        if isinstance(window, MainWindow):
            window.deleteLater()
