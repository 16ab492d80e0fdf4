"""Check-out at the desk, offline: the open visit today here, its minutes on the real time
line, nothing queued without a visit, and a second check-out replacing the first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.checkin.checkout import MAX_MINUTES, NoOpenVisit, elapsed_minutes
from desktop.core.checkin.model import CheckinError
from desktop.core.checkin.outbox import CHECKIN_CHECKOUT
from desktop.core.kiosk import KioskCore
from desktop.core.store import OutboxRepository
from desktop.core.store.prune import prune_checkins
from shared.enums import CheckinMethod
from tests.unit.desktop.checkin_fakes import Clock, DeskData, desk_core, seed_desk_data
from tests.unit.desktop.kiosk_fakes import FakeServer


def _checkouts(core: KioskCore) -> list[dict[str, Any]]:
    entries = OutboxRepository(core.store.connection()).pending()
    return [e.args for e in entries if e.name == CHECKIN_CHECKOUT]


def _rows(core: KioskCore) -> list[tuple[str, int, int]]:
    rows = core.store.connection().execute(
        "SELECT checkin_id, minutes, completed FROM local_checkout ORDER BY checkin_id"
    )
    return [(str(r[0]), int(r[1]), int(r[2])) for r in rows]


def test_the_open_visit_is_found_and_its_minutes_queued_offline(
    desk: KioskCore, data: DeskData, clock: Clock, fake_server: FakeServer
) -> None:
    """Ana came in at 09:15 and leaves at 10:02: 47 minutes."""
    fake_server.down = True
    admitted = desk.checkin.check_in(data.ana, CheckinMethod.CARD)
    assert admitted.admitted and admitted.checkin_id is not None
    clock.advance(47 * 60)
    visit = desk.checkout.open_visit(data.ana)
    assert (visit.checkin_id, visit.minutes, visit.previous) == (admitted.checkin_id, 47, None)
    assert visit.member_name.startswith("Ana")
    done = desk.checkout.check_out(visit, minutes=visit.minutes)
    assert _checkouts(desk) == [
        {
            "checkin_id": str(admitted.checkin_id),
            "member_id": str(data.ana),
            "minutes": 47,
            "completed": True,
            "checked_out_at": "2025-01-08T10:02:00+00:00",
        }
    ]
    assert done.mutation_id > 0
    assert _rows(desk) == [(str(admitted.checkin_id), 47, 1)]


def test_minutes_across_the_spring_dst_change_are_real_minutes(
    tmp_path: Path, fake_server: FakeServer
) -> None:
    """29 March 2026, London: in at 00:30 GMT, out at 03:30 BST on the wall. The wall says
    3 hours; the clocks jumped 01:00 → 02:00, so 2 hours passed: 120 minutes."""
    clock = Clock(datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
    fake_server.server_time = clock.now()
    data = seed_desk_data(fake_server, clock.now().date())
    core = desk_core(tmp_path / "kiosk", fake_server, clock)
    try:
        assert core.checkin.check_in(data.ana, CheckinMethod.CARD).admitted
        clock.advance(2 * 3600)  # 02:30 UTC = 03:30 BST
        assert core.checkout.open_visit(data.ana).minutes == 120
    finally:
        core.close()


def test_elapsed_minutes_are_clamped_and_rounded() -> None:
    start = datetime(2025, 1, 8, 9, 0, tzinfo=UTC)
    assert elapsed_minutes(start, start) == 1  # a scan out at once still confirms a minute
    assert elapsed_minutes(start, datetime(2025, 1, 8, 9, 30, 29, tzinfo=UTC)) == 30
    assert elapsed_minutes(start, datetime(2025, 1, 8, 9, 30, 31, tzinfo=UTC)) == 31
    assert elapsed_minutes(start, datetime(2025, 1, 8, 20, 0, tzinfo=UTC)) == MAX_MINUTES


def test_no_open_visit_says_so_and_queues_nothing(
    desk: KioskCore, data: DeskData, clock: Clock
) -> None:
    """Carl never came in today; Dora's only visit was yesterday evening (another kiosk's,
    pulled): neither has a visit today here."""
    before = OutboxRepository(desk.store.connection()).pending_count()
    with pytest.raises(NoOpenVisit, match="Carl Jones has no visit today"):
        desk.checkout.open_visit(data.carl)
    assert OutboxRepository(desk.store.connection()).pending_count() == before
    assert _rows(desk) == []


def test_a_visit_from_yesterday_is_not_open_today(
    desk: KioskCore, data: DeskData, clock: Clock
) -> None:
    """In at 09:15 on the 8th; the next morning at 07:00 there is no visit today."""
    assert desk.checkin.check_in(data.ana, CheckinMethod.CARD).admitted
    clock.advance(21 * 3600 + 45 * 60)
    with pytest.raises(NoOpenVisit):
        desk.checkout.open_visit(data.ana)


def test_a_second_check_out_replaces_the_first(
    desk: KioskCore, data: DeskData, clock: Clock
) -> None:
    first_in = desk.checkin.check_in(data.ana, CheckinMethod.CARD)
    clock.advance(40 * 60)
    desk.checkout.check_out(desk.checkout.open_visit(data.ana), minutes=40)
    clock.advance(15 * 60)
    again = desk.checkout.open_visit(data.ana)
    assert again.checkin_id == first_in.checkin_id
    assert again.previous is not None and again.previous.minutes == 40
    assert again.minutes == 55
    desk.checkout.check_out(again, minutes=50)
    # One local row, the latest; both mutations go to the server, where the latest stands.
    assert _rows(desk) == [(str(first_in.checkin_id), 50, 1)]
    assert [a["minutes"] for a in _checkouts(desk)] == [40, 50]


def test_did_not_train_is_recorded_and_not_offered_again(
    desk: KioskCore, data: DeskData, clock: Clock
) -> None:
    desk.checkin.check_in(data.ana, CheckinMethod.CARD)
    clock.advance(5 * 60)
    desk.checkout.check_out(desk.checkout.open_visit(data.ana), minutes=5, completed=False)
    assert _checkouts(desk)[0]["completed"] is False
    with pytest.raises(NoOpenVisit, match="not trained"):
        desk.checkout.open_visit(data.ana)


def test_a_re_entry_is_part_of_the_first_visit(
    desk: KioskCore, data: DeskData, clock: Clock
) -> None:
    first = desk.checkin.check_in(data.ana, CheckinMethod.CARD)
    clock.advance(30 * 60)
    assert desk.checkin.check_in(data.ana, CheckinMethod.CARD).reentry
    clock.advance(30 * 60)
    visit = desk.checkout.open_visit(data.ana)
    assert (visit.checkin_id, visit.minutes) == (first.checkin_id, 60)


@pytest.mark.parametrize("minutes", [0, MAX_MINUTES + 1])
def test_minutes_out_of_range_are_refused(
    desk: KioskCore, data: DeskData, clock: Clock, minutes: int
) -> None:
    desk.checkin.check_in(data.ana, CheckinMethod.CARD)
    visit = desk.checkout.open_visit(data.ana)
    with pytest.raises(CheckinError, match="between 1 and 600"):
        desk.checkout.check_out(visit, minutes=minutes)
    assert _checkouts(desk) == []


def test_an_unknown_member_has_no_visit(desk: KioskCore) -> None:
    with pytest.raises(NoOpenVisit, match="not in this kiosk's data"):
        desk.checkout.open_visit(uuid.uuid4())


@given(
    admitted=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
    seconds=st.integers(min_value=-3600, max_value=2 * 24 * 3600),
)
def test_elapsed_minutes_are_the_real_minutes_within_the_bounds(
    admitted: datetime, seconds: int
) -> None:
    """Whatever the zone's clocks do, the minutes are the UTC difference, kept in 1–600."""
    minutes = elapsed_minutes(admitted, admitted + timedelta(seconds=seconds))
    assert 1 <= minutes <= MAX_MINUTES
    if 90 <= seconds <= (MAX_MINUTES - 1) * 60:
        assert abs(minutes * 60 - seconds) <= 30


def test_a_check_out_goes_with_its_visit_once_sent(
    desk: KioskCore, data: DeskData, clock: Clock
) -> None:
    """Old check-ins are pruned once acknowledged; their check-outs follow, not before the
    server has them."""
    admitted = desk.checkin.check_in(data.ana, CheckinMethod.CARD)
    clock.advance(30 * 60)
    done = desk.checkout.check_out(desk.checkout.open_visit(data.ana), minutes=30)
    later = clock.now() + timedelta(days=60)
    with desk.store.transaction() as conn:
        outbox = OutboxRepository(conn)
        outbox.remove([e.mutation_id for e in outbox.pending() if e.name != CHECKIN_CHECKOUT])
        prune_checkins(conn, later)
    assert _rows(desk) == [(str(admitted.checkin_id), 30, 1)]  # still waiting to be sent
    with desk.store.transaction() as conn:
        OutboxRepository(conn).remove([done.mutation_id])
        prune_checkins(conn, later)
    assert _rows(desk) == []
