"""Check-out at 1366×768, styled as the program styles it: the mode's prompt, the minutes
dialog and the answer fit, and nothing is cut. Screenshots kept in ``ZMOS_SCREENSHOT_DIR``
when set."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QRect
from pytestqt.qtbot import QtBot

from desktop.core.kiosk import KioskCore
from desktop.ui.main_window import MainWindow
from shared.enums import CheckinMethod
from tests.ui.screens.conftest import Scene
from tests.ui.screens.layout_check import problems
from tests.unit.desktop.checkin_fakes import Clock

WIDTH, HEIGHT = 1366, 768


def _shots(tmp_path: Path) -> Path:
    kept = os.environ.get("ZMOS_SCREENSHOT_DIR")
    folder = Path(kept) if kept else tmp_path / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_check_out_screens_fit_at_1366x768(
    qtbot: QtBot, window: MainWindow, kiosk: KioskCore, scene: Scene, clock: Clock, tmp_path: Path
) -> None:
    window.fit_to_screen(QRect(0, 0, WIDTH, HEIGHT))
    window.resize(WIDTH, HEIGHT)
    view = window.checkin_view
    assert kiosk.checkin.check_in(scene.data.ana, CheckinMethod.CARD).admitted
    clock.advance(83 * 60)
    folder = _shots(tmp_path)

    view.set_checking_out(True)
    qtbot.wait(20)
    assert window.grab().save(str(folder / "checkout-mode-1366.png"))
    assert problems(window) == []

    view.on_code_entered("ZM000123")
    dialog = view.checkout_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.wait(20)
    assert dialog.width() <= WIDTH and dialog.height() <= HEIGHT
    assert dialog.grab().save(str(folder / "checkout-dialog-1366.png"))
    assert problems(dialog) == []

    dialog.submit()
    qtbot.wait(20)
    assert view.decision.verdict_label.text() == "Checked out"
    assert window.grab().save(str(folder / "checkout-done-1366.png"))
    assert problems(window) == []
