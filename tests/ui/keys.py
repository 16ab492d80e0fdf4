"""Keys as people press them, for tests that must not look like a USB scanner's burst."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.core.checkin.wedge import MAX_KEY_GAP
from desktop.ui.pin_dialog import PinDialog
from tests.unit.desktop.kiosk_fakes import MANAGER_PIN

#: A pause before a key, in milliseconds, longer than any gap within a scanned code: an
#: Enter pressed after it ends what a person typed, not a scan.
HUMAN_KEY_GAP_MS = round(MAX_KEY_GAP * 1000) + 20


def enter_staff_pin(qtbot: QtBot, dialog: PinDialog | None, pin: str = MANAGER_PIN) -> None:
    """Type a staff PIN and Enter, then wait for its check (off the UI thread)."""
    assert dialog is not None and dialog.isVisible()
    QTest.keyClicks(dialog.pin_edit, pin)
    QTest.keyClick(dialog.pin_edit, Qt.Key.Key_Return, delay=HUMAN_KEY_GAP_MS)
    qtbot.waitUntil(lambda: not dialog.checking)
