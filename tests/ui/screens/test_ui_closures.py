"""The header at a closure or on a day of special hours: the desk sees it at a glance,
offline, from the closures the snapshot brought. Screenshots at 1366×768 (kept in
``ZMOS_SCREENSHOT_DIR`` when set)."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect
from pytestqt.qtbot import QtBot

from desktop.app import build_core
from desktop.config import KioskSettings
from desktop.ui.main_window import MainWindow
from tests.ui.screens.layout_check import problems
from tests.unit.desktop.kiosk_fakes import ENROL_CODE, FakeServer

#: Wednesday 8 January 2025, 09:15 UTC: 09:15 in London.
NOW = datetime(2025, 1, 8, 9, 15, 30, tzinfo=UTC)
TEN_TO_TWO = {"opens": "10:00", "closes": "14:00"}


def _closure(name: str, starts_on: str, ends_on: str, hours: list[Any]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "name": name,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "hours": hours,
    }


@pytest.mark.parametrize(
    ("closures", "hours_text", "open_text", "today_row"),
    [
        (
            [_closure("Staff training day", "2025-01-07", "2025-01-09", [])],
            "Closed today: Staff training day",
            "Closed today",
            "Closed",
        ),
        (
            [
                _closure(
                    "Winter hours",
                    "2025-01-08",
                    "2025-01-08",
                    [{"opens": "10:00", "closes": "14:00"}],
                )
            ],
            "Today's hours 10:00–14:00 (Winter hours)",
            "Closed now · opens 10:00",
            "10:00–14:00",
        ),
        (
            [_closure("Easter", "2025-04-18", "2025-04-21", [])],
            "Today: 06:00–22:00",
            "Open now · until 22:00",
            "",
        ),
    ],
    ids=["closed", "special-hours", "ordinary-day"],
)
def test_the_header_shows_todays_closure_or_special_hours(
    qtbot: QtBot,
    styled: None,
    tmp_path: Path,
    closures: list[dict[str, Any]],
    hours_text: str,
    open_text: str,
    today_row: str,
    request: pytest.FixtureRequest,
) -> None:
    server = FakeServer(timezone="Europe/London")
    server.location_closures = closures
    http = server.client()
    core = build_core(
        KioskSettings(data_dir=tmp_path / "kiosk", credential_store="file"), http_client=http
    )
    try:
        core.enrol("http://zmos.test", ENROL_CODE, "Front desk 1")
        server.down = True  # what the header shows comes from the kiosk's own cache
        window = MainWindow(core, kiosk_mode=False, now=lambda: NOW)
        qtbot.addWidget(window)
        window.present()
        window.fit_to_screen(QRect(0, 0, 1366, 768))
        window.resize(1366, 768)
        qtbot.wait(20)
        header = window.header
        assert header.hours_label.text() == hours_text
        assert header.open_label.text() == open_text
        ordinary = hours_text.startswith("Today:")
        assert header.hours_label.property("notice") is (not ordinary)
        wednesday = dict((d.text(), h.text()) for d, h in window.hours_panel.rows)["Wednesday"]
        assert wednesday == (hours_text.removeprefix("Today: ") if ordinary else today_row)
        folder = Path(os.environ.get("ZMOS_SCREENSHOT_DIR") or tmp_path)
        folder.mkdir(parents=True, exist_ok=True)
        shot = folder / f"closure-header-{request.node.callspec.id}-1366x768.png"
        assert window.grab().save(str(shot))
        assert problems(window) == []
    finally:
        core.close()
        http.close()
