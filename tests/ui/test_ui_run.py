from __future__ import annotations

import threading
from pathlib import Path

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
