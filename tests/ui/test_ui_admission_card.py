"""The result screen as the door sees it: photo, plan usage and birthday in large type,
staff alerts and an override's reason in the desk's small strip only, and each refusal
with its next step (a sale, another location, the day a limit resets)."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.core.kiosk import KioskCore
from desktop.ui.main_window import MainWindow
from desktop.ui.views.decision_panel import SELL_TEXT, DecisionPanel
from shared.enums import CheckinMethod
from tests.ui.keys import enter_staff_pin
from tests.ui.windows import main_window
from tests.unit.desktop.checkin_fakes import Clock, DeskData, desk_core, seed_desk_data
from tests.unit.desktop.kiosk_fakes import FakeServer

#: 22:15 on Wednesday 8 January 2025 in Auckland (the UI tests' location).
NOW = datetime(2025, 1, 8, 9, 15, tzinfo=UTC)
#: Where to keep the screenshots for a person to look at (unset: the test's own folder).
SHOTS = os.environ.get("ZMOS_SCREENSHOTS")


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (160, 160), (58, 110, 165)).save(out, "JPEG", quality=80)
    return out.getvalue()


@pytest.fixture
def osu() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def data(fake_server: FakeServer, osu: uuid.UUID) -> DeskData:
    fake_server.server_time = NOW
    # Each check-in here is a visit of its own (no re-entry window), so a test can reach a
    # visit limit at one moment.
    fake_server.checkin_policy = [{"id": str(fake_server.tenant_id), "reentry_window_minutes": 0}]
    data = seed_desk_data(fake_server, NOW.date())
    ana = next(m for m in fake_server.members if m["id"] == str(data.ana))
    ana["photo_updated_at"] = NOW.isoformat()
    ana["date_of_birth"] = "1990-01-08"
    fake_server.thumbnails[str(data.ana)] = _jpeg()
    fake_server.member_alerts = [
        {
            "id": str(uuid.uuid4()),
            "member_id": str(data.ana),
            "text": text,
            "created_at": (NOW - timedelta(minutes=minutes)).isoformat(),
        }
        for text, minutes in (("waiver missing", 20), ("balance due", 10))
    ]
    fake_server.places = [
        {"id": str(osu), "name": "Osu"},
        {"id": str(fake_server.location_id), "name": "Riverside Gym"},
    ]
    return data


@pytest.fixture
def desk(tmp_path: Path, fake_server: FakeServer, data: DeskData) -> Iterator[KioskCore]:
    core = desk_core(tmp_path / "kiosk", fake_server, Clock(NOW))
    assert core.sync.photos.fetch_some() == 1
    fake_server.down = True  # the door works from the cache
    yield core
    core.close()


@pytest.fixture
def window(qtbot: QtBot, desk: KioskCore) -> Iterator[MainWindow]:
    with main_window(qtbot, desk, lambda: NOW) as win:
        yield win


def _check_in(window: MainWindow, core: KioskCore, member: uuid.UUID) -> DecisionPanel:
    view = window.checkin_view
    view.show_outcome(core.checkin.check_in(member, CheckinMethod.SEARCH))
    return view.decision


def _fits(window: MainWindow, panel: DecisionPanel, name: str, tmp_path: Path) -> None:
    """At the desk's screen sizes every visible part of the answer lies inside the window."""
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


def test_admission_with_photo_birthday_and_alerts(
    window: MainWindow, desk: KioskCore, data: DeskData, tmp_path: Path
) -> None:
    panel = _check_in(window, desk, data.ana)
    assert panel.admitted and panel.name_label.text() == "Ana Smith"
    assert panel.details_label.text() == "Monthly Unlimited\nHappy birthday!"
    assert panel.photo_label.isVisible() and not panel.photo_label.pixmap().isNull()
    # Alerts are for the desk: the small strip, never the member-facing large text.
    assert panel.staff_strip.isVisible()
    assert panel.staff_label.text() == "Desk: Alert: waiver missing · Alert: balance due"
    large = (panel.verdict_label, panel.name_label, panel.details_label, panel.warning_label)
    assert all("waiver" not in label.text() for label in large)
    assert not panel.sell_button.isVisible() and not panel.override_button.isVisible()
    _fits(window, panel, "hd-admission", tmp_path)


def test_pack_usage_and_expiry(window: MainWindow, desk: KioskCore, data: DeskData) -> None:
    panel = _check_in(window, desk, data.bea)  # one credit left, pack ends in 60 days
    assert panel.admitted
    assert panel.details_label.text() == "10-Class Pack: 0 credits left"
    assert not panel.photo_label.isVisible() and not panel.staff_strip.isVisible()


def test_no_membership_offers_a_sale(
    qtbot: QtBot, window: MainWindow, desk: KioskCore, data: DeskData, tmp_path: Path
) -> None:
    panel = _check_in(window, desk, data.carl)
    assert not panel.admitted
    assert panel.reason_label.text() == "No active membership"
    assert panel.next_step_label.text() == "Buy a day pass or a plan at the desk"
    assert panel.sell_button.isVisible() and panel.sell_button.text() == SELL_TEXT
    _fits(window, panel, "hd-refused-no-membership", tmp_path)
    QTest.mouseClick(panel.sell_button, Qt.MouseButton.LeftButton)
    assert not window.checkin_view.back_timer.isActive()  # waits for the PIN
    enter_staff_pin(qtbot, window.checkin_view.pin_dialog)  # a sale needs staff
    sale = window.checkin_view.sale_dialog
    assert sale is not None and sale.isVisible()
    assert sale.member_label.text() == "Carl Jones"
    assert not window.checkin_view.back_timer.isActive()  # the sale is not cut short
    sale.reject()
    assert window.checkin_view.back_timer.isActive()


def test_not_valid_here_names_where_it_is(
    fake_server: FakeServer, osu: uuid.UUID, tmp_path: Path, qtbot: QtBot
) -> None:
    fake_server.server_time = NOW
    plan = fake_server.add_plan(
        "Osu Monthly", "recurring", "30.00", location_rule="listed", location_ids=[str(osu)]
    )
    kofi = fake_server.add_member("Kofi", "Boateng")
    fake_server.add_membership(kofi, plan, NOW.date() - timedelta(days=3))
    fake_server.places = [{"id": str(osu), "name": "Osu"}]
    core = desk_core(tmp_path / "kiosk", fake_server, Clock(NOW))
    win = MainWindow(core, kiosk_mode=False, now=lambda: NOW)
    qtbot.addWidget(win)
    win.present()
    try:
        panel = _check_in(win, core, kofi)
        assert panel.reason_label.text() == "Not valid at this location"
        assert panel.next_step_label.text() == "Valid at Osu"
        assert not panel.sell_button.isVisible()
        _fits(win, panel, "hd-refused-location", tmp_path)
    finally:
        win.close()
        core.close()


def test_a_visit_limit_says_when_it_resets(
    window: MainWindow, desk: KioskCore, data: DeskData, tmp_path: Path
) -> None:
    panel = _check_in(window, desk, data.dora)  # the second of two this week
    assert panel.admitted
    assert panel.details_label.text() == (
        "Off-Peak 2 a week: 2 of 2 visits this week, resets Monday 13 January"
    )
    assert not panel.warning_label.isVisible()  # the card says it already
    desk.checkin.forget(data.dora)
    panel = _check_in(window, desk, data.dora)
    assert panel.reason_label.text() == "Weekly limit of 2 visits reached"
    assert panel.next_step_label.text() == "2 of 2 visits used this week; resets Monday 13 January"
    _fits(window, panel, "hd-refused-limit", tmp_path)


def test_an_unpaid_renewal_says_payment_overdue(
    fake_server: FakeServer, tmp_path: Path, qtbot: QtBot
) -> None:
    """Past due (the card is being retried) admits with a warning; suspended refuses."""
    fake_server.server_time = NOW
    fake_server.checkin_policy = [{"id": str(fake_server.tenant_id), "reentry_window_minutes": 0}]
    plan = fake_server.add_plan("Monthly Unlimited", "recurring", "49.00")
    efua = fake_server.add_member("Efua", "Owusu")
    kwame = fake_server.add_member("Kwame", "Asante")
    started = NOW.date() - timedelta(days=40)
    fake_server.add_membership(efua, plan, started, status="past_due")
    fake_server.add_membership(kwame, plan, started, status="suspended")
    core = desk_core(tmp_path / "kiosk", fake_server, Clock(NOW))
    win = MainWindow(core, kiosk_mode=False, now=lambda: NOW)
    qtbot.addWidget(win)
    win.present()
    try:
        panel = _check_in(win, core, efua)
        assert panel.admitted
        # On the card, under the plan (the card stands in for the warning line).
        assert panel.details_label.text() == "Monthly Unlimited\nPayment overdue"
        _fits(win, panel, "hd-admitted-payment-overdue", tmp_path)
        panel = _check_in(win, core, kwame)
        assert not panel.admitted
        assert panel.reason_label.text() == "Payment overdue"
        assert not panel.sell_button.isVisible()
        _fits(win, panel, "hd-refused-payment-overdue", tmp_path)
    finally:
        win.close()
        core.close()
