"""The result screen of a member admitted offline on their ZPS benefit: "Welcome" for the
member, and, for the desk, how old the benefit check is ("ZPS benefit checked 3 h ago")."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.ui.main_window import MainWindow
from tests.ui.test_ui_admission_card import NOW, _check_in, _fits
from tests.unit.desktop.checkin_fakes import Clock, desk_core
from tests.unit.desktop.kiosk_fakes import FakeServer


def _benefit(member: str, *, eligible: bool, reason: str, hours_ago: float) -> dict[str, object]:
    return {
        "id": member,
        "member_id": member,
        "eligible": eligible,
        "reason": reason,
        "benefit_id": "ben-7" if eligible else None,
        "valid_until": (NOW + timedelta(hours=20)).isoformat(),
        "checked_at": (NOW - timedelta(hours=hours_ago)).isoformat(),
    }


def test_the_door_shows_staff_the_age_of_the_zps_check(
    fake_server: FakeServer, tmp_path: Path, qtbot: QtBot
) -> None:
    fake_server.server_time = NOW
    ama = fake_server.add_member("Ama", "Owusu")
    kojo = fake_server.add_member("Kojo", "Mensah")
    fake_server.benefit_snapshots = [
        _benefit(str(ama), eligible=True, reason="employer wellness", hours_ago=3),
        _benefit(str(kojo), eligible=False, reason="wallet empty", hours_ago=26),
    ]
    core = desk_core(tmp_path / "kiosk", fake_server, Clock(NOW))
    fake_server.down = True
    win = MainWindow(core, kiosk_mode=False, now=lambda: NOW)
    qtbot.addWidget(win)
    win.present()
    try:
        panel = _check_in(win, core, ama)
        assert panel.admitted and panel.name_label.text() == "Ama Owusu"
        assert panel.staff_strip.isVisible()
        assert panel.staff_label.text() == "Desk: ZPS benefit checked 3 h ago"
        _fits(win, panel, "hd-admission-zps-benefit", tmp_path)
        refused = _check_in(win, core, kojo)
        assert not refused.admitted
        assert "ZPS: wallet empty" in refused.reason_label.text()
        assert "26 h" not in refused.reason_label.text()  # the age is for the desk
        assert refused.staff_label.text() == "Desk: ZPS benefit checked 26 h ago"
        _fits(win, refused, "hd-refusal-zps-benefit", tmp_path)
    finally:
        win.close()
        core.close()
