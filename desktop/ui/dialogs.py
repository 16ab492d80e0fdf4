"""Kiosk dialogs: Enter does the dialog's primary action, or nothing, never Cancel.

Qt's dialogs give Enter to a "default" button: the one with focus, or else the first in
the focus chain, which is how Enter came to mean Cancel. Here no button is a default
button; Enter (from any field, or with any button focused) calls :meth:`primary_action`,
which validates and keeps the dialog open with a message when something is missing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import QDialog, QPushButton

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class KioskDialog(QDialog):
    def primary_action(self) -> None:
        """What Enter does; the default does nothing."""

    def showEvent(self, event: QShowEvent) -> None:
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        super().showEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in ENTER_KEYS:
            event.accept()
            self.primary_action()
            return
        super().keyPressEvent(event)
