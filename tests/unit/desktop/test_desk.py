"""The staff desk's core: a member's visits from the server and this kiosk, what waits to
sync and what was refused, review items, and the waitlist of a full class."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.core.checkin.model import CheckinError
from desktop.core.kiosk import KioskCore
from desktop.core.store import OutboxRepository, RejectedRepository
from shared.enums import CheckinMethod
from tests.unit.desktop.checkin_fakes import Clock, DeskData, desk_core, seed_desk_data
from tests.unit.desktop.kiosk_fakes import FakeServer

NOW = datetime(2025, 1, 8, 9, 15, tzinfo=UTC)


@pytest.fixture
def data(fake_server: FakeServer) -> DeskData:
    fake_server.server_time = NOW
    return seed_desk_data(fake_server, NOW.date())


@pytest.fixture
def desk(tmp_path: Path, fake_server: FakeServer, data: DeskData) -> Iterator[KioskCore]:
    core = desk_core(tmp_path / "kiosk", fake_server, Clock(NOW))
    fake_server.down = True
    yield core
    core.close()


def test_visits_merge_the_servers_and_this_kiosks_newest_first(
    desk: KioskCore, data: DeskData
) -> None:
    desk.checkin.check_in(data.dora, CheckinMethod.SEARCH)
    visits = desk.desk.profile(data.dora).visits
    assert [v.pending for v in visits] == [True, False]
    assert visits[0].occurred_at == NOW
    assert visits[1].occurred_at == NOW - timedelta(hours=4)  # the seeded earlier visit


def test_refused_actions_are_listed_after_those_waiting(desk: KioskCore, data: DeskData) -> None:
    desk.checkin.check_in(data.ana, CheckinMethod.SEARCH)
    conn = desk.store.connection()
    [entry] = OutboxRepository(conn).pending()
    with desk.store.transaction() as tx:
        RejectedRepository(tx).add([(entry, "member 123 does not exist")], NOW)
    actions = desk.desk.pending_actions()
    assert [(a.what, a.state) for a in actions] == [
        ("Check-in", "waiting to send"),
        ("Check-in", "refused: member 123 does not exist"),
    ]


def test_an_unknown_member_or_an_empty_note_is_refused(desk: KioskCore) -> None:
    with pytest.raises(CheckinError):
        desk.desk.profile(uuid.uuid4())
    with pytest.raises(CheckinError, match="Say what was done"):
        desk.desk.resolve_review_item(uuid.uuid4(), "  ", uuid.uuid4())


def test_only_a_full_class_takes_a_waitlist_booking(
    tmp_path: Path, fake_server: FakeServer, data: DeskData
) -> None:
    roomy = fake_server.add_session("Yoga", NOW + timedelta(hours=1), capacity=10)
    core = desk_core(tmp_path / "kiosk", fake_server, Clock(NOW))
    try:
        with pytest.raises(CheckinError, match="has free places"):
            core.desk.join_waitlist(roomy, data.ana, None)
        assert OutboxRepository(core.store.connection()).pending() == []
    finally:
        core.close()
