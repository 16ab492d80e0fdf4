"""A kiosk with members, classes and a review item, styled as the program styles it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.core.kiosk import KioskCore
from desktop.ui.main_window import MainWindow
from desktop.ui.style import apply_style
from tests.unit.desktop.checkin_fakes import Clock, DeskData, desk_core, seed_desk_data
from tests.unit.desktop.kiosk_fakes import FakeServer

#: 09:15 UTC on Wednesday 8 January 2025 is 22:15 the same day in Auckland.
NOW = datetime(2025, 1, 8, 9, 15, tzinfo=UTC)
LONG_CLASS = "Strength and Conditioning for Rowers and Paddlers (Intermediate)"


@dataclass
class Scene:
    data: DeskData
    late_spin: uuid.UUID  # today 22:30 local: full (2 of 2), one waiting
    long_class: uuid.UUID  # tomorrow, a long name
    review_item: str
    mensahs: list[uuid.UUID]


@pytest.fixture
def styled(qapp: QApplication) -> Iterator[None]:
    """The program's style sheet and font, put back afterwards (one application per
    test process)."""
    sheet, font = qapp.styleSheet(), qapp.font()
    apply_style(qapp)
    yield
    qapp.setStyleSheet(sheet)
    qapp.setFont(font)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def scene(fake_server: FakeServer) -> Scene:
    fake_server.server_time = NOW
    data = seed_desk_data(fake_server, NOW.date())
    mensahs = [
        fake_server.add_member(first, "Mensah", phone=f"+233 20 000 00{i:02d}")
        for i, first in enumerate(["Ama", "Kofi", "Esi", "Kwame", "Adjoa", "Yaw", "Akua"])
    ]
    spin = fake_server.add_session("Late Spin", NOW + timedelta(minutes=15), capacity=2)
    fake_server.class_sessions[-1]["confirmed_count"] = 2
    fake_server.add_booking(spin, data.bea, 1)
    fake_server.add_booking(spin, data.carl, 2)
    fake_server.add_booking(spin, data.dora, 3, status="waitlisted")
    long_class = fake_server.add_session(LONG_CLASS, NOW + timedelta(hours=9), capacity=12)
    item = fake_server.add_review_item(
        "Ana Smith was admitted offline at 21:02 while her membership was frozen "
        "(until 3 February): check with the member",
        data.ana,
    )
    return Scene(data, spin, long_class, item, mensahs)


@pytest.fixture
def kiosk(
    tmp_path: Path, fake_server: FakeServer, clock: Clock, scene: Scene
) -> Iterator[KioskCore]:
    core = desk_core(tmp_path / "kiosk", fake_server, clock)
    yield core
    core.close()


@pytest.fixture
def window(qtbot: QtBot, styled: None, kiosk: KioskCore, clock: Clock) -> Iterator[MainWindow]:
    win = MainWindow(kiosk, kiosk_mode=False, now=clock.now)
    qtbot.addWidget(win)
    win.present()
    yield win
    win.close()  # stops its clock before the core's database closes
