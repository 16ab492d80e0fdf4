"""Keys as people press them, for tests that must not look like a USB scanner's burst."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
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


def scanner_burst(widget: QWidget, code: str, gap_ms: int = 5) -> None:
    """A USB scanner typing ``code`` and Enter into ``widget``: real key events carrying the
    window system's time stamps, ``gap_ms`` apart, so the burst reads as a scan however long
    the kiosk takes to handle each key on a loaded machine."""
    start = int(time.monotonic() * 1000)
    keys = [(Qt.Key(ord(c.upper())), c) for c in code] + [(Qt.Key.Key_Return, "\r")]
    for index, (key, text) in enumerate(keys):
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text)
            event.setTimestamp(start + gap_ms * index)
            QApplication.sendEvent(widget, event)
