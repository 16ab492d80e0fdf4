"""The kiosk's main window as a test opens it: on screen, active, and holding the focus."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.core.kiosk import KioskCore
from desktop.ui.main_window import MainWindow


@contextmanager
def main_window(
    qtbot: QtBot, core: KioskCore, now: Callable[[], datetime], size: tuple[int, int] | None = None
) -> Iterator[MainWindow]:
    """Open the window and wait until it is the active one, so keys sent "wherever the focus
    is" reach it (and not a window another test left behind); close it afterwards, which
    stops its clock before the core's database closes."""
    win = MainWindow(core, kiosk_mode=False, now=now)
    qtbot.addWidget(win)
    if size is not None:
        win.resize(*size)
    win.present()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    try:
        yield win
    finally:
        win.close()
