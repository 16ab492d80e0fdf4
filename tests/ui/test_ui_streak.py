"""The streak and a new badge on the admission screen, large enough to read from a metre
away, and nothing pushed off the screen at the desk's sizes."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QRect
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.core.kiosk import KioskCore
from desktop.ui.main_window import MainWindow
from desktop.ui.views.decision_panel import DecisionPanel
from shared.engagement import codec
from shared.engagement.dose import DayDose
from shared.engagement.streaks import DAILY, WEEKLY, rebuild
from shared.enums import CheckinMethod
from tests.ui.windows import main_window
from tests.unit.desktop.checkin_fakes import Clock, DeskData, desk_core, seed_desk_data
from tests.unit.desktop.kiosk_fakes import FakeServer

#: Thursday 4 December 2025, 18:00 in London.
NOW = datetime(2025, 12, 4, 18, 0, tzinfo=UTC)
SHOTS = os.environ.get("ZMOS_SCREENSHOTS")


def _weeks(count: int) -> list[DayDose]:
    """Three visits of an hour a week for ``count`` weeks up to this Tuesday (2 December)."""
    days = []
    for week in range(count):
        monday = date(2025, 12, 1).toordinal() - 7 * (count - 1 - week)
        days += [date.fromordinal(monday + n) for n in (0, 2, 4) if monday + n < NOW.toordinal()]
    return [DayDose(day, 60, 0, 1) for day in days if day < NOW.date()]


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (160, 160), (58, 110, 165)).save(out, "JPEG", quality=80)
    return out.getvalue()


@pytest.fixture
def data(fake_server: FakeServer) -> DeskData:
    fake_server.server_time = NOW
    data = seed_desk_data(fake_server, NOW.date())
    doses = _weeks(6)
    daily, weekly = rebuild(DAILY, doses), rebuild(WEEKLY, doses)
    # The fullest card: a photo, a birthday and the desk's alerts besides.
    ana = next(m for m in fake_server.members if m["id"] == str(data.ana))
    ana["photo_updated_at"] = NOW.isoformat()
    ana["date_of_birth"] = "1990-12-05"
    fake_server.thumbnails[str(data.ana)] = _jpeg()
    fake_server.member_alerts = [
        {
            "id": str(uuid.uuid4()),
            "member_id": str(data.ana),
            "text": "waiver missing",
            "created_at": NOW.isoformat(),
        }
    ]
    fake_server.member_engagement = [
        {
            "id": str(data.ana),
            "member_id": str(data.ana),
            "daily": codec.encode_streak(daily),
            "weekly": codec.encode_streak(weekly),
            "badge_id": str(uuid.uuid4()),
            "badge": "classes:10",
            "badge_explanation": "because: 10th class on 4 Dec",
            "badge_on": "2025-12-04",
        }
    ]
    return data


@pytest.fixture
def desk(tmp_path: Path, fake_server: FakeServer, data: DeskData) -> Iterator[KioskCore]:
    core = desk_core(tmp_path / "kiosk", fake_server, Clock(NOW))
    assert core.sync.photos.fetch_some() == 1
    fake_server.down = True
    yield core
    core.close()


@pytest.fixture
def window(qtbot: QtBot, desk: KioskCore) -> Iterator[MainWindow]:
    with main_window(qtbot, desk, lambda: NOW) as win:
        yield win


def _fits(window: MainWindow, panel: DecisionPanel, name: str, tmp_path: Path) -> None:
    for width, height in ((1366, 768), (1280, 800)):
        window.resize(width, height)
        QTest.qWait(20)
        bounds = QRect(QPoint(0, 0), window.size())
        for child in panel.findChildren(QWidget):
            if not child.isVisible():
                continue
            top_left = child.mapTo(window, QPoint(0, 0))
            assert bounds.contains(QRect(top_left, child.size())), (name, child.objectName())
        folder = Path(SHOTS) if SHOTS else tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        assert window.grab().save(str(folder / f"{name}-{width}x{height}.png"))


def test_streak_and_new_badge_on_admission(
    window: MainWindow, desk: KioskCore, data: DeskData, tmp_path: Path
) -> None:
    view = window.checkin_view
    view.show_outcome(desk.checkin.check_in(data.ana, CheckinMethod.SEARCH))
    panel = view.decision
    assert panel.admitted
    # Six weeks of three hours (180 ≥ 150 minutes) up to this week, met with today's visit.
    assert panel.streak_label.isVisible()
    assert panel.streak_label.text() == "6-week streak"
    assert panel.badge_label.isVisible()
    assert panel.badge_label.text() == (
        "New badge: 10 classes \N{EM DASH} because: 10th class on 4 Dec"
    )
    assert panel.photo_label.isVisible() and panel.staff_strip.isVisible()
    assert panel.details_label.text() == "Monthly Unlimited\nHappy birthday!"
    # Large type: as large as the card's lines at least.
    assert panel.streak_label.font().pointSize() >= panel.details_label.font().pointSize()
    _fits(window, panel, "hd-streak-badge", tmp_path)


def test_no_streak_line_for_a_refusal(window: MainWindow, desk: KioskCore, data: DeskData) -> None:
    view = window.checkin_view
    view.show_outcome(desk.checkin.check_in(data.carl, CheckinMethod.SEARCH))
    panel = view.decision
    assert not panel.admitted
    assert not panel.streak_label.isVisible() and not panel.badge_label.isVisible()
