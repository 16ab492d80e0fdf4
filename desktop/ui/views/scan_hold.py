"""Where a USB scan goes while a dialog is open over the window.

A dialog whose job is choosing a member (a visible member search in it) takes the scan as
its chosen member. Any other dialog is left alone: the scan is held and handled when the
dialog (and any dialog it leads straight to, as a PIN prompt leads to a reason) closes.
What the camera reads meanwhile is held too: only the latest read, since a pass held up to
the camera is read frame after frame.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from desktop.ui.views.member_picker import MemberPicker


class ScanRouter(QObject):
    def __init__(
        self,
        window: QWidget,
        deliver: Callable[[str], None],
        deliver_read: Callable[[object], None] | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._deliver = deliver
        self._deliver_read = deliver_read
        #: Scans waiting for the open dialogs to close, oldest first.
        self.held: list[str] = []
        #: The camera's latest read while a dialog was open.
        self.held_read: object | None = None
        self._watched: set[int] = set()

    def open_dialog(self) -> QDialog | None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QDialog) and modal is not self._window and modal.isVisible():
            return modal
        return None

    def route(self, code: str) -> None:
        dialog = self.open_dialog()
        if dialog is None:
            self._deliver(code)
            return
        for picker in dialog.findChildren(MemberPicker):
            if picker.isVisible() and picker.take_code(code):
                return
        self.held.append(code)
        self._watch(dialog)

    def route_read(self, result: object) -> None:
        """A camera read: handled now, or when the open dialog closes."""
        dialog = self.open_dialog()
        if dialog is None or self._deliver_read is None:
            if self._deliver_read is not None:
                self._deliver_read(result)
            return
        self.held_read = result
        self._watch(dialog)

    def _watch(self, dialog: QDialog) -> None:
        if id(dialog) not in self._watched:
            self._watched.add(id(dialog))
            dialog.finished.connect(lambda _result, d=dialog: self._closed(d))

    def _closed(self, dialog: QDialog) -> None:
        self._watched.discard(id(dialog))
        # After the handlers of the dialog's result have run: they may open the next one.
        QTimer.singleShot(0, self.release)

    def release(self) -> None:
        dialog = self.open_dialog()
        if dialog is not None:
            self._watch(dialog)
            return
        codes, self.held = self.held, []
        read, self.held_read = self.held_read, None
        for code in codes:
            self._deliver(code)
        if read is not None and self._deliver_read is not None:
            self._deliver_read(read)
