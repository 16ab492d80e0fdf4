"""What people see at 1366×768 and 1280×800, full screen and windowed: each screen is
rendered under the offscreen platform and saved as a PNG (``ZMOS_SCREENSHOT_DIR`` keeps
them), and the test fails when a visible control lies outside the window or its text is
cut."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QDialog, QListWidget
from pytestqt.qtbot import QtBot

from desktop.core.kiosk import KioskCore
from desktop.ui.main_window import MainWindow
from desktop.ui.pin_dialog import PinDialog
from desktop.ui.views.override_dialog import OverrideReasonDialog
from desktop.ui.views.sale_dialog import SaleDialog
from desktop.ui.views.sessions_view import NO_MORE_TODAY
from desktop.ui.views.walkin_dialog import WalkinDialog
from tests.ui.screens.conftest import LONG_CLASS, Scene
from tests.ui.screens.layout_check import problems
from tests.unit.desktop.checkin_fakes import Clock
from tests.unit.desktop.kiosk_fakes import MANAGER_PIN

#: (name, screen width, height): full screen, and windowed below a title bar and task bar.
SIZES = [
    ("1366x768", 1366, 768),
    ("1280x800", 1280, 800),
    ("1366x768-windowed", 1366, 768 - 70),
    ("1280x800-windowed", 1280, 800 - 70),
]


def _door(window: MainWindow, kiosk: KioskCore, scene: Scene) -> None:
    window.checkin_view.show_ready()


def _admission(window: MainWindow, kiosk: KioskCore, scene: Scene) -> None:
    window.checkin_view.on_code_scanned("ZM000123")
    assert window.checkin_view.decision.admitted


def _refusal(window: MainWindow, kiosk: KioskCore, scene: Scene) -> None:
    hit = kiosk.checkin.member_hit(scene.data.jose)
    assert hit is not None
    staff = kiosk.pins.check(MANAGER_PIN).staff  # a check-in found by search is staff's
    assert staff is not None
    kiosk.staff_mode.begin(staff)
    window.checkin_view.pick(hit)
    outcome = window.checkin_view.decision.outcome
    assert outcome is not None and not outcome.admitted


def _search(window: MainWindow, kiosk: KioskCore, scene: Scene) -> None:
    window.checkin_view.search_edit.setText("Mensah")


def _staff_desk(window: MainWindow, kiosk: KioskCore, scene: Scene) -> None:
    staff = kiosk.verify_staff_pin(MANAGER_PIN)
    assert staff is not None
    window.open_staff_desk(staff)
    window.staff_desk.member_picker.edit.setText("Ana")
    window.staff_desk.member_picker.pick_row(0)


def _staff_review(window: MainWindow, kiosk: KioskCore, scene: Scene) -> None:
    _staff_desk(window, kiosk, scene)
    window.staff_desk.tabs.setCurrentIndex(2)


def _staff_waitlist(window: MainWindow, kiosk: KioskCore, scene: Scene) -> None:
    _staff_desk(window, kiosk, scene)
    window.staff_desk.tabs.setCurrentIndex(3)
    window.staff_desk.full_list.setCurrentRow(0)


def _classes(window: MainWindow, kiosk: KioskCore, scene: Scene) -> None:
    window.header.classes_button.setChecked(True)
    window.sessions_view.select(0)


def _classes_tomorrow(window: MainWindow, kiosk: KioskCore, scene: Scene) -> None:
    window.header.classes_button.setChecked(True)
    window.sessions_view.show_day(tomorrow=True)
    window.sessions_view.select(0)


SCENES: dict[str, Callable[[MainWindow, KioskCore, Scene], None]] = {
    "door": _door,
    "admission": _admission,
    "refusal": _refusal,
    "search": _search,
    "staff-desk": _staff_desk,
    "staff-review": _staff_review,
    "staff-waitlist": _staff_waitlist,
    "classes": _classes,
    "classes-tomorrow": _classes_tomorrow,
}


def _shots_dir(tmp_path: Path) -> Path:
    kept = os.environ.get("ZMOS_SCREENSHOT_DIR")
    folder = Path(kept) if kept else tmp_path / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("size", SIZES, ids=[s[0] for s in SIZES])
@pytest.mark.parametrize("scene_name", list(SCENES))
def test_every_screen_fits_and_nothing_is_cut(
    qtbot: QtBot,
    window: MainWindow,
    kiosk: KioskCore,
    scene: Scene,
    tmp_path: Path,
    scene_name: str,
    size: tuple[str, int, int],
) -> None:
    label, width, height = size
    window.fit_to_screen(QRect(0, 0, width, height))
    window.resize(width, height)
    SCENES[scene_name](window, kiosk, scene)
    qtbot.wait(20)  # layouts settle
    assert window.size().toTuple() == (width, height)
    path = _shots_dir(tmp_path) / f"{scene_name}-{label}.png"
    assert window.grab().save(str(path))
    assert path.stat().st_size > 0
    assert problems(window) == []


def test_the_window_never_grows_wider_than_the_screen(qtbot: QtBot, window: MainWindow) -> None:
    window.fit_to_screen(QRect(0, 0, 1280, 800))
    window.resize(2000, 1200)
    assert window.width() <= 1280 and window.height() <= 800
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 800 - 70


def test_search_results_show_at_least_five_members(
    qtbot: QtBot, window: MainWindow, kiosk: KioskCore
) -> None:
    for _, width, height in SIZES:
        window.fit_to_screen(QRect(0, 0, width, height))
        window.resize(width, height)
        window.checkin_view.search_edit.setText("Mensah")
        qtbot.wait(20)
        results: QListWidget = window.checkin_view.results
        assert results.count() >= 5
        shown = [
            row
            for row in range(results.count())
            if results.viewport().rect().contains(results.visualItemRect(results.item(row)))
        ]
        assert len(shown) >= 5, (width, height, len(shown))


def test_a_long_class_name_wraps_and_an_empty_day_says_so(
    qtbot: QtBot, window: MainWindow, clock: Clock
) -> None:
    window.header.classes_button.setChecked(True)
    view = window.sessions_view
    # 22:15 local: Late Spin at 22:30 is still to come.
    assert not view.empty_label.isVisible()
    view.show_day(tomorrow=True)
    assert LONG_CLASS in view.session_list.item(0).text()
    assert view.session_list.wordWrap()
    clock.advance(3600)  # 23:15: Late Spin (22:30–23:15) is over
    view.show_day(tomorrow=False)
    assert view.empty_label.isVisible() and view.empty_label.text() == NO_MORE_TODAY


DIALOGS: dict[str, Callable[[MainWindow, KioskCore], QDialog]] = {
    "pin": lambda window, kiosk: PinDialog(kiosk.pins, "Enter a staff PIN to sell a pass", window),
    "walk-in": lambda window, kiosk: WalkinDialog(kiosk, window),
    "sale": lambda window, kiosk: SaleDialog(
        kiosk, kiosk.checkin.search_members("Mensah")[0], window, staff=None
    ),
    "override": lambda window, kiosk: OverrideReasonDialog(
        "Ana Manager", "Membership expired on 9 December 2024", window
    ),
}


@pytest.mark.parametrize("size", SIZES[:2], ids=[s[0] for s in SIZES[:2]])
@pytest.mark.parametrize("dialog_name", list(DIALOGS))
def test_every_dialog_fits_the_screen_and_nothing_is_cut(
    qtbot: QtBot,
    window: MainWindow,
    kiosk: KioskCore,
    scene: Scene,
    tmp_path: Path,
    dialog_name: str,
    size: tuple[str, int, int],
) -> None:
    """The dialogs staff use at the desk (with the on-screen keypad, the walk-in form) are
    no taller or wider than the screen, and none of their controls or texts are cut."""
    label, width, height = size
    window.fit_to_screen(QRect(0, 0, width, height))
    window.resize(width, height)
    dialog = DIALOGS[dialog_name](window, kiosk)
    dialog.open()
    qtbot.wait(20)
    try:
        assert dialog.width() <= width and dialog.height() <= height, dialog.size()
        path = _shots_dir(tmp_path) / f"dialog-{dialog_name}-{label}.png"
        assert dialog.grab().save(str(path))
        assert problems(dialog) == []
    finally:
        dialog.reject()
