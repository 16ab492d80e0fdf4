"""A search box with its result list: name, phone and a membership summary per member."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop.core.checkin import MemberHit
from desktop.core.kiosk import KioskCore


def hit_text(hit: MemberHit) -> str:
    contact = hit.phone or hit.email or ""
    first = f"{hit.name}    {contact}".rstrip()
    return f"{first}\n{hit.summary}"


class MemberPicker(QWidget):
    picked = Signal(object)  # MemberHit

    def __init__(
        self,
        core: KioskCore,
        placeholder: str = "Search by name or phone",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._core = core
        self.hits: list[MemberHit] = []
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        self.edit.textChanged.connect(self.run_search)
        self.results = QListWidget()
        self.results.itemClicked.connect(self._clicked)
        self.results.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.results, 1)

    def run_search(self, text: str | None = None) -> None:
        query = self.edit.text() if text is None else text
        self.hits = self._core.checkin.search_members(query) if query.strip() else []
        self.results.clear()
        for hit in self.hits:
            item = QListWidgetItem(hit_text(hit))
            item.setData(Qt.ItemDataRole.UserRole, str(hit.member_id))
            self.results.addItem(item)
        self.results.setVisible(bool(self.hits) or bool(query.strip()))

    def pick_row(self, row: int) -> None:
        self.picked.emit(self.hits[row])

    def clear(self) -> None:
        self.edit.clear()

    def _clicked(self, item: QListWidgetItem) -> None:
        member_id = uuid.UUID(item.data(Qt.ItemDataRole.UserRole))
        for hit in self.hits:
            if hit.member_id == member_id:
                self.picked.emit(hit)
                return
