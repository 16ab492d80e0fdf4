"""The kiosk's door rules offline: a member already in takes no second credit or visit;
a class is checked into only from its window before the start."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.core.checkin.model import CheckinError
from desktop.core.kiosk import KioskCore
from desktop.core.store import LocalRepository
from shared.enums import CheckinMethod
from tests.unit.desktop.checkin_fakes import Clock, DeskData, desk_core, seed_desk_data
from tests.unit.desktop.kiosk_fakes import FakeServer


def _checkins(core: KioskCore, member_id: uuid.UUID) -> list[tuple[uuid.UUID | None, bool]]:
    """(membership admitted on, is a re-entry) of each local check-in of the member."""
    return [
        (c.membership_id, c.repeat_of is not None)
        for c in LocalRepository(core.store.connection()).checkins(member_id)
    ]


def test_nine_scans_use_one_visit_and_the_window_edge_is_a_new_visit(
    desk: KioskCore, data: DeskData, clock: Clock, fake_server: FakeServer
) -> None:
    """Dora's off-peak plan allows 2 a week; the server counted 1 (four hours ago)."""
    fake_server.down = True
    first = desk.checkin.check_in(data.dora, CheckinMethod.CARD)
    assert first.admitted and first.reason.startswith("admitted on Off-Peak")
    for _ in range(8):
        clock.advance(6)  # past the double-scan debounce: each one is recorded
        again = desk.checkin.check_in(data.dora, CheckinMethod.CARD)
        assert (again.admitted, again.reason) == (True, "already checked in at 09:15")
        assert again.warning == "Already checked in at 09:15"
    rows = _checkins(desk, data.dora)
    assert rows[0][1] is False and rows[0][0] is not None
    assert rows[1:] == [(None, True)] * 8
    # Ten seconds before three hours after the first: still in. Three hours: a new visit
    # (the third this week, over the limit).
    clock.advance(3 * 3600 - 48 - 10)
    assert desk.checkin.check_in(data.dora, CheckinMethod.CARD).reason.startswith("already")
    clock.advance(10)
    late = desk.checkin.check_in(data.dora, CheckinMethod.CARD)
    assert (late.admitted, late.reason) == (False, "weekly limit of 2 visits reached")


def test_a_pack_member_scanned_again_keeps_the_credit(
    desk: KioskCore, data: DeskData, clock: Clock
) -> None:
    """Bea has one credit: scanned, found by search, scanned again: still admitted."""
    assert desk.checkin.check_in(data.bea, CheckinMethod.CARD).admitted
    clock.advance(180)
    searched = desk.checkin.check_in(data.bea, CheckinMethod.SEARCH)
    assert searched.admitted and searched.reason == "already checked in at 09:15"
    clock.advance(30)
    assert desk.checkin.check_in(data.bea, CheckinMethod.CARD).admitted
    assert [m for m, _ in _checkins(desk, data.bea)].count(None) == 2


def test_dst_day_the_window_is_real_time_and_the_time_is_local(
    tmp_path: Path, fake_server: FakeServer
) -> None:
    """29 March 2026, London: 01:00 GMT becomes 02:00 BST."""
    clock = Clock(datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
    fake_server.server_time = clock.now()
    data = seed_desk_data(fake_server, clock.now().date())
    core = desk_core(tmp_path / "kiosk", fake_server, clock)
    try:
        assert core.checkin.check_in(data.ana, CheckinMethod.CARD).reason.startswith("admitted")
        clock.advance(75 * 60)  # 02:45 BST on the wall
        again = core.checkin.check_in(data.ana, CheckinMethod.CARD)
        assert again.reason == "already checked in at 00:30"
        clock.advance(106 * 60)  # 04:31 BST: 3h01 after the first
        assert core.checkin.check_in(data.ana, CheckinMethod.CARD).reason.startswith("admitted")
    finally:
        core.close()


def test_the_tenants_window_comes_with_the_snapshot(
    tmp_path: Path, fake_server: FakeServer, clock: Clock
) -> None:
    fake_server.server_time = clock.now()
    data = seed_desk_data(fake_server, clock.now().date())
    fake_server.checkin_policy = [{"id": str(fake_server.tenant_id), "reentry_window_minutes": 0}]
    core = desk_core(tmp_path / "kiosk", fake_server, clock)
    try:
        assert core.checkin.check_in(data.bea, CheckinMethod.CARD).admitted
        clock.advance(60)
        second = core.checkin.check_in(data.bea, CheckinMethod.CARD)
        assert (second.admitted, second.reason) == (False, "no credits left")
    finally:
        core.close()


def test_a_class_is_checked_into_only_from_its_window(
    tmp_path: Path, fake_server: FakeServer, clock: Clock
) -> None:
    fake_server.server_time = clock.now()
    data = seed_desk_data(fake_server, clock.now().date())
    tomorrow = fake_server.add_session("Yoga", clock.now() + timedelta(hours=13), capacity=5)
    soon = fake_server.add_session("Spin", clock.now() + timedelta(minutes=45), capacity=5)
    fake_server.add_booking(tomorrow, data.ana, 1)
    core = desk_core(tmp_path / "kiosk", fake_server, clock)
    try:
        pending = core.sync.pending_count()
        # Tomorrow's class selected and a scan: refused, nothing booked or recorded.
        with pytest.raises(CheckinError, match=r"^Check-in for Yoga opens at 21:15$"):
            core.sessions.check_in(tomorrow, data.carl, CheckinMethod.CARD)
        with pytest.raises(CheckinError, match="opens at 21:15"):
            core.sessions.check_in(tomorrow, data.ana, CheckinMethod.CARD)
        assert core.sync.pending_count() == pending
        assert [e.checked_in for e in core.sessions.roster(tomorrow)] == [False]
        # At the door, Ana's booking for tomorrow does not make this a class check-in.
        door = core.checkin.check_in(data.ana, CheckinMethod.CARD)
        assert door.admitted and " · into " not in door.reason
        assert [e.checked_in for e in core.sessions.roster(tomorrow)] == [False]
        # 45 minutes before the start is inside the 60-minute window.
        checked = core.sessions.check_in(soon, data.jose, CheckinMethod.CARD, override=None)
        assert checked.session.id == soon
    finally:
        core.close()
