"""Cards at the desk: search finds members by card and barcode; a card staff assign works at
once, offline, through a fresh snapshot, until the server has answered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.core.checkin import CheckinError
from desktop.core.kiosk import KioskCore
from desktop.core.store import OutboxRepository
from shared.enums import CheckinMethod
from tests.unit.desktop.checkin_fakes import Clock, DeskData, desk_core, seed_desk_data
from tests.unit.desktop.kiosk_fakes import FakeServer

NOW = datetime(2025, 1, 8, 9, 15, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def data(fake_server: FakeServer, clock: Clock) -> DeskData:
    fake_server.server_time = clock.now()
    return seed_desk_data(fake_server, clock.now().date())


@pytest.fixture
def desk(
    tmp_path: Path, fake_server: FakeServer, clock: Clock, data: DeskData
) -> Iterator[KioskCore]:
    core = desk_core(tmp_path / "kiosk", fake_server, clock)
    yield core
    core.close()


def test_search_finds_card_numbers_and_barcodes(desk: KioskCore) -> None:
    assert [h.name for h in desk.checkin.search_members("2002")] == ["Bea O'Brien"]
    assert [h.name for h in desk.checkin.search_members("zm-000123")] == ["Ana Smith"]
    assert [h.name for h in desk.checkin.search_members("1001")] == ["Ana Smith"]


def test_assigned_card_checks_in_offline_and_outlives_a_snapshot_until_answered(
    desk: KioskCore, fake_server: FakeServer, data: DeskData
) -> None:
    fake_server.down = True
    hit = desk.checkin.assign_card(data.carl, " 7777-8888 ")
    assert hit.member_id == data.carl
    [entry] = OutboxRepository(desk.store.connection()).pending()
    assert entry.name == "member.card.assign.v1"
    args = entry.args
    assert args["member_id"] == str(data.carl) and args["card_number"] == "7777-8888"
    outcome = desk.checkin.check_in_code("77778888")
    assert outcome.member_id == data.carl and outcome.method is CheckinMethod.CARD

    fake_server.down = False
    desk.sync.refresh()  # a fresh snapshot that does not know the card yet
    found = desk.checkin.member_for_code("7777 8888")
    assert found is not None and found.member_id == data.carl

    # Once the server has answered, its member rows say whose card it is.
    with desk.store.transaction() as conn:
        OutboxRepository(conn).remove([entry.mutation_id])
    assert desk.checkin.member_for_code("77778888") is None


def test_a_card_that_is_someones_or_not_a_card_is_refused(desk: KioskCore, data: DeskData) -> None:
    with pytest.raises(CheckinError, match="already Bea O'Brien's card"):
        desk.checkin.assign_card(data.carl, "2002")
    with pytest.raises(CheckinError, match="not a card number"):
        desk.checkin.assign_card(data.carl, " - ")
    assert desk.sync.pending_count() == 0
