"""Staff PINs at the kiosk: the lock-out after wrong PINs (surviving a restart), a coach's
PIN "not allowed here", staff mode's idle time-out, who took the money for a sale, and a
guest pass's host."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.core.checkin import CheckinError
from desktop.core.kiosk import KioskCore
from desktop.core.staff_mode import StaffMode
from desktop.core.staff_pins import MAX_WRONG, PinStatus
from desktop.core.store import OutboxRepository
from shared.enums import PaymentMethod
from tests.unit.desktop.checkin_fakes import Clock, DeskData, desk_core, seed_desk_data
from tests.unit.desktop.kiosk_fakes import COACH_PIN, MANAGER_PIN, FakeServer

#: 09:15 UTC is 22:15 in Auckland, the kiosk's location.
NOW = datetime(2025, 1, 8, 9, 15, tzinfo=UTC)


@pytest.fixture
def server() -> FakeServer:
    server = FakeServer(timezone="Pacific/Auckland")
    server.server_time = NOW
    return server


@pytest.fixture
def data(server: FakeServer) -> DeskData:
    return seed_desk_data(server, NOW.date())


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def test_five_wrong_pins_lock_the_kiosk_out_for_five_minutes_even_across_a_restart(
    tmp_path: Path, server: FakeServer, clock: Clock
) -> None:
    core = desk_core(tmp_path / "kiosk", server, clock)
    for _ in range(MAX_WRONG - 1):
        assert core.pins.check("0000").status is PinStatus.NOT_RECOGNISED
    assert core.pins.check(MANAGER_PIN).ok  # a right PIN clears the count
    for _ in range(MAX_WRONG - 1):
        assert core.pins.check("0000").status is PinStatus.NOT_RECOGNISED
    locked = core.pins.check("0000")
    assert locked.status is PinStatus.LOCKED
    assert locked.message() == "Too many wrong PINs; try again at 22:20"  # local time
    right_but_locked = core.pins.check(MANAGER_PIN)
    assert right_but_locked.status is PinStatus.LOCKED and right_but_locked.staff is None
    assert core.verify_staff_pin(MANAGER_PIN) is None
    core.close()

    restarted = desk_core(tmp_path / "kiosk", server, clock)
    try:
        clock.at = NOW + timedelta(minutes=4, seconds=59)
        assert restarted.pins.check(MANAGER_PIN).status is PinStatus.LOCKED
        clock.at = NOW + timedelta(minutes=5)
        check = restarted.pins.check(MANAGER_PIN)
        assert check.ok and check.staff is not None and check.staff.name == "Ana Manager"
    finally:
        restarted.close()


def test_a_coach_pin_is_not_allowed_here_and_is_no_wrong_guess(
    tmp_path: Path, server: FakeServer, clock: Clock
) -> None:
    core = desk_core(tmp_path / "kiosk", server, clock)
    try:
        for _ in range(MAX_WRONG + 1):
            check = core.pins.check(COACH_PIN)
            assert check.status is PinStatus.NOT_ALLOWED
            assert check.message() == "This PIN is not allowed here" and check.staff is None
        assert core.pins.locked_until() is None
        assert core.verify_staff_pin(COACH_PIN) is None
    finally:
        core.close()


def test_staff_mode_ends_after_two_minutes_without_use() -> None:
    from desktop.core.staff_pins import StaffMember
    from shared.enums import StaffRole
    from shared.ids import new_id

    clock = Clock(NOW)
    mode = StaffMode(clock.now)
    ama = StaffMember(new_id(), "Ama", StaffRole.FRONT_DESK)
    assert mode.current() is None
    mode.begin(ama)
    clock.at = NOW + timedelta(seconds=100)
    assert mode.use() == ama  # use starts the two minutes again
    assert mode.remaining() == timedelta(minutes=2)
    clock.at = NOW + timedelta(seconds=100 + 119)
    assert mode.current() == ama and mode.remaining() == timedelta(seconds=1)
    clock.at = NOW + timedelta(seconds=100 + 120)
    assert mode.current() is None and mode.use() is None
    mode.begin(ama)
    mode.end()
    assert mode.current() is None


def _sale_args(core: KioskCore) -> dict[str, object]:
    [entry] = [
        e for e in OutboxRepository(core.store.connection()).pending() if e.name == "sale.create.v1"
    ]
    return entry.args


def test_a_guest_pass_needs_a_host_with_an_active_membership(
    tmp_path: Path, server: FakeServer, clock: Clock, data: DeskData
) -> None:
    core = desk_core(tmp_path / "kiosk", server, clock)
    try:
        staff = core.pins.check(MANAGER_PIN).staff
        assert staff is not None
        for host in (data.jose, data.carl):  # expired; none at all
            with pytest.raises(CheckinError, match="host with an active membership"):
                core.checkin.sell_pass(
                    data.guest_pass, data.dora, PaymentMethod.CASH, guest_of_id=host
                )
        assert core.sync.pending_count() == 0
        core.checkin.sell_pass(
            data.guest_pass, data.dora, PaymentMethod.CASH, guest_of_id=data.ana, staff_id=staff.id
        )
        args = _sale_args(core)
        assert args["guest_of_id"] == str(data.ana) and args["staff_id"] == str(staff.id)
    finally:
        core.close()
