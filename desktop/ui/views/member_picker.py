"""A search box with its result list: name, phone and a membership summary per member.

Keyboard: the arrows move through the results from the search box, Enter chooses the one
selected. A card number or barcode typed in full and Enter chooses its member (or, where
that is what Enter means, as at the door, is handed on as a code to check in with).
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop.core.checkin import MemberHit
from desktop.core.kiosk import KioskCore

_MOVES = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 5, Qt.Key.Key_PageUp: -5}


def hit_text(hit: MemberHit) -> str:
    contact = hit.phone or hit.email or ""
    first = f"{hit.name}    {contact}".rstrip()
    return f"{first}\n{hit.summary}"


class MemberPicker(QWidget):
    picked = Signal(object)  # MemberHit
    #: A member's card, barcode or pass typed in full and Enter, when ``codes_as_codes``.
    code_entered = Signal(str)

    def __init__(
        self,
        core: KioskCore,
        placeholder: str = "Search by name, phone or card number",
        parent: QWidget | None = None,
        *,
        codes_as_codes: bool = False,
    ) -> None:
        super().__init__(parent)
        self._core = core
        self._codes_as_codes = codes_as_codes
        self.hits: list[MemberHit] = []
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        self.edit.textChanged.connect(self.run_search)
        self.edit.installEventFilter(self)
        self.results = QListWidget()
        self.results.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.results.itemClicked.connect(self._clicked)
        self.results.installEventFilter(self)
        self.results.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.results, 1)
        self.setFocusProxy(self.edit)

    def run_search(self, text: str | None = None) -> None:
        query = self.edit.text() if text is None else text
        self.hits = self._core.checkin.search_members(query) if query.strip() else []
        self.results.clear()
        for hit in self.hits:
            item = QListWidgetItem(hit_text(hit))
            item.setData(Qt.ItemDataRole.UserRole, str(hit.member_id))
            self.results.addItem(item)
        self.results.setCurrentRow(-1)
        self.results.setVisible(bool(self.hits) or bool(query.strip()))

    def pick_row(self, row: int) -> None:
        self.picked.emit(self.hits[row])

    def clear(self) -> None:
        self.edit.clear()

    def submit(self) -> bool:
        """Enter in the search box: the selected result, else the member of a typed code.
        False when there is nothing to choose (Enter is then the surrounding screen's)."""
        row = self.results.currentRow()
        if self.results.isVisible() and 0 <= row < len(self.hits):
            self.pick_row(row)
            return True
        text = self.edit.text().strip()
        if not text:
            return False
        if self._codes_as_codes:
            if self._core.checkin.member_for_code(text) is None:
                return False
            self.code_entered.emit(text)
            return True
        return self.take_code(text)

    def take_code(self, code: str) -> bool:
        """Choose the member whose card, barcode or valid pass ``code`` is; False if none."""
        hit = self._core.checkin.member_for_code(code)
        if hit is None:
            return False
        self.edit.clear()
        self.picked.emit(hit)
        return True

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                # Choosing a member is this Enter's whole job: a dialog around the picker
                # must not also take it as its own (and close, or take a payment).
                return self.submit()
            step = _MOVES.get(Qt.Key(event.key()))
            if step is not None and self.hits:
                row = self.results.currentRow()
                row = 0 if row < 0 and step > 0 else row + step
                self.results.setCurrentRow(max(0, min(row, len(self.hits) - 1)))
                return True
        if obj is self.results and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            row = self.results.currentRow()
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and 0 <= row < len(self.hits):
                self.pick_row(row)
                return True
        return super().eventFilter(obj, event)

    def _clicked(self, item: QListWidgetItem) -> None:
        member_id = uuid.UUID(item.data(Qt.ItemDataRole.UserRole))
        for hit in self.hits:
            if hit.member_id == member_id:
                self.picked.emit(hit)
                return
