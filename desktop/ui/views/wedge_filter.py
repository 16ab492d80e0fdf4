"""Window-level capture of USB scanners that type like keyboards (no field needs focus)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from desktop.core.checkin.wedge import KeystrokeBuffer

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ScannerWedge(QObject):
    """An application event filter watching the keys meant for ``window``.

    Keys still reach their widget (a person may be typing in the search box); only the
    Enter that ends a scanner's burst is taken, and :attr:`scanned` emitted with the code.
    """

    scanned = Signal(str)

    def __init__(
        self,
        window: QWidget,
        enabled: Callable[[], bool] = lambda: True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._enabled = enabled
        self._clock = clock
        self.buffer = KeystrokeBuffer()

    def install(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not isinstance(obj, QWidget) or obj.window() is not self._window:
            return False
        focus = QApplication.focusWidget()
        if focus is not None and obj is not focus:
            return False  # the same key propagating to a parent: seen already
        if not self._enabled():
            self.buffer.reset()
            return False
        if event.key() in _ENTER:
            code = self.buffer.enter(self._clock())
            if code is None:
                return False
            self.scanned.emit(code)
            return True
        text = event.text()
        if text and text.isprintable():
            self.buffer.key(text, self._clock())
        return False
