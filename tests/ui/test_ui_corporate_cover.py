"""The result screen of a corporate member at the door, offline: under the plan, in the
member's large type, the company that pays ("Covered by Acme Ltd")."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.ui.main_window import MainWindow
from tests.ui.test_ui_admission_card import NOW, _check_in, _fits
from tests.unit.desktop.checkin_fakes import Clock, desk_core
from tests.unit.desktop.kiosk_fakes import FakeServer

SHOTS = os.environ.get("ZMOS_SCREENSHOTS")


def test_a_corporate_member_is_told_who_covers_them(
    fake_server: FakeServer, tmp_path: Path, qtbot: QtBot
) -> None:
    fake_server.server_time = NOW
    plan = fake_server.add_plan("Acme Ltd access", "corporate", "0", billing_period="month")
    ama = fake_server.add_member("Ama", "Owusu")
    fake_server.add_membership(ama, plan, NOW.date() - timedelta(days=30), covered_by="Acme Ltd")
    core = desk_core(tmp_path / "kiosk", fake_server, Clock(NOW))
    fake_server.down = True
    win = MainWindow(core, kiosk_mode=False, now=lambda: NOW)
    qtbot.addWidget(win)
    win.present()
    try:
        panel = _check_in(win, core, ama)
        assert panel.admitted and panel.name_label.text() == "Ama Owusu"
        assert panel.details_label.text() == "Acme Ltd access\nCovered by Acme Ltd"
        _fits(win, panel, "hd-admission-corporate", tmp_path)
    finally:
        win.close()
        core.close()
