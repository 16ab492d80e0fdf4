"""Window-level capture of USB scanners that type like keyboards (no field needs focus)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from desktop.core.checkin.wedge import KeystrokeBuffer

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def takes_text(widget: QWidget | None) -> bool:
    """Whether typed characters are text for ``widget`` (not a command, like a list's
    jump-to-item or a button's shortcut)."""
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    return isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit | QAbstractSpinBox)


class ScannerWedge(QObject):
    """An application event filter watching the keys meant for ``window`` and its dialogs.

    Keys still reach a text field (a person may be typing in the search box); only the Enter
    that ends a scanner's burst is taken, and :attr:`scanned` emitted with the code. The
    scan's characters are taken out of the field they landed in again, so a scan never
    fills a field (a dialog's, the search box) nor closes a dialog.

    In the window itself, characters meant for a widget that does not take text (a list, a
    button) never reach it: a scanner's digits must not move a list's selection. They are
    emitted as :attr:`typed` instead, so what a person types there is not lost.
    """

    scanned = Signal(str)
    typed = Signal(str)

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

    def _belongs(self, widget: QWidget) -> bool:
        """Whether ``widget`` is in the window or in a dialog opened over it."""
        top: QWidget | None = widget.window()
        while top is not None:
            if top is self._window:
                return True
            parent = top.parentWidget()
            top = parent.window() if parent is not None else None
        return False

    def _time_of(self, event: QKeyEvent) -> float:
        """When the key was pressed, in seconds: the window system's own time stamp when it
        gives one, so a busy moment of the UI (a search running between two keys) does not
        make a scanner's burst look like typing; otherwise the time it is seen here."""
        stamp = event.timestamp()
        return stamp / 1000 if stamp else self._clock()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not isinstance(obj, QWidget) or not self._belongs(obj):
            return False
        focus = QApplication.focusWidget()
        if focus is not None and obj is not focus and obj.isAncestorOf(focus):
            return False  # the same key propagating to a parent: seen already
        if not self._enabled():
            self.buffer.reset()
            return False
        in_dialog = obj.window() is not self._window
        at = self._time_of(event)
        if event.key() in _ENTER:
            code = self.buffer.enter(at)
            if code is None:
                return False
            _take_back(obj, code)
            self.scanned.emit(code)
            return True
        text = event.text()
        if not text or not text.isprintable():
            return False
        self.buffer.key(text, at)
        if in_dialog or text.isspace() or takes_text(obj):
            return False  # a space still presses the focused button
        self.typed.emit(text)
        return True


def _take_back(widget: QWidget, code: str) -> None:
    if isinstance(widget, QLineEdit) and widget.text().endswith(code):
        widget.setText(widget.text()[: -len(code)])
