"""Off-peak plans at the kiosk, offline: the shared door rules refuse outside the plan's
windows in the location's wall-clock time, across a daylight-saving change."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from desktop.core.kiosk import KioskCore
from shared.enums import CheckinMethod
from tests.unit.desktop.checkin_fakes import Clock, desk_core
from tests.unit.desktop.kiosk_fakes import FakeServer

WEEKDAYS_10_TO_4 = [
    {"days": ["mon", "tue", "wed", "thu", "fri"], "starts": "10:00", "ends": "16:00"}
]
REFUSAL = "Off-peak plan: valid 10:00–16:00 on weekdays"


def _offline_kiosk(
    tmp_path: Path, server: FakeServer, at: datetime
) -> tuple[KioskCore, Clock, uuid.UUID]:
    """A London kiosk holding one off-peak member, then cut off from the server."""
    clock = Clock(at)
    server.server_time = at
    plan = server.add_plan(
        "Off-peak", "recurring", "19.00", billing_period="month", time_windows=WEEKDAYS_10_TO_4
    )
    member = server.add_member("Efua", "Mensah", card_number="7007")
    server.add_membership(member, plan, date(2025, 1, 1))
    core = desk_core(tmp_path / "kiosk", server, clock)
    server.down = True
    return core, clock, member


@pytest.mark.parametrize(
    ("at", "admitted"),
    [
        (datetime(2025, 1, 8, 9, 59, tzinfo=UTC), False),  # Wednesday 09:59 GMT
        (datetime(2025, 1, 8, 10, 0, tzinfo=UTC), True),  # 10:00: the window opens
        (datetime(2025, 1, 8, 15, 59, tzinfo=UTC), True),
        (datetime(2025, 1, 8, 16, 0, tzinfo=UTC), False),  # 16:00: closed again
        (datetime(2025, 1, 11, 12, 0, tzinfo=UTC), False),  # Saturday noon
    ],
)
def test_the_kiosk_refuses_outside_the_window_offline(
    tmp_path: Path, at: datetime, admitted: bool
) -> None:
    core, _clock, member = _offline_kiosk(tmp_path, FakeServer(), at)
    try:
        decision = core.checkin.check_in(member, CheckinMethod.CARD)
        assert decision.admitted is admitted
        assert decision.reason == ("admitted on Off-peak" if admitted else REFUSAL)
    finally:
        core.close()


def test_the_window_is_local_wall_clock_time_across_the_clock_change(tmp_path: Path) -> None:
    """London goes to BST on Sunday 29 March 2026: 09:30 UTC is 09:30 on the Friday
    before and 10:30 on the Monday after."""
    server = FakeServer()
    core, clock, member = _offline_kiosk(tmp_path, server, datetime(2026, 3, 27, 9, 30, tzinfo=UTC))
    try:
        friday = core.checkin.check_in(member, CheckinMethod.CARD)
        assert (friday.admitted, friday.reason) == (False, REFUSAL)
        clock.advance(timedelta(days=3).total_seconds())  # Monday 30 March, 10:30 BST
        monday = core.checkin.check_in(member, CheckinMethod.CARD)
        assert (monday.admitted, monday.reason) == (True, "admitted on Off-peak")
        # 16:00 BST is 15:00 UTC: the window has closed (and the 10:30 visit is over).
        clock.advance(timedelta(hours=5, minutes=30).total_seconds())
        late = core.checkin.check_in(member, CheckinMethod.CARD)
        assert (late.admitted, late.reason) == (False, REFUSAL)
    finally:
        core.close()
