from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from desktop.core.checkin import CHECKIN_CREATE, CheckinError, Override
from desktop.core.kiosk import KioskCore
from desktop.core.store import LocalRepository, OutboxRepository
from shared.enums import CheckinMethod
from tests.unit.desktop.checkin_fakes import (
    NOW,
    Clock,
    DeskData,
    RecordingDecider,
    desk_core,
)
from tests.unit.desktop.kiosk_fakes import FakeServer


def local(core: KioskCore) -> LocalRepository:
    return LocalRepository(core.store.connection())


def outbox(core: KioskCore) -> OutboxRepository:
    return OutboxRepository(core.store.connection())


def test_admission_is_recorded_with_its_outbox_row(desk: KioskCore, data: DeskData) -> None:
    outcome = desk.checkin.check_in(data.ana, CheckinMethod.SEARCH)
    assert outcome.admitted and outcome.recorded and not outcome.repeated
    assert outcome.member_name == "Ana Smith"
    assert outcome.reason == "admitted on Monthly Unlimited"
    [row] = local(desk).checkins()
    [entry] = outbox(desk).pending()
    assert row.id == outcome.checkin_id and row.admitted and row.mutation_id == entry.mutation_id
    assert entry.name == CHECKIN_CREATE
    assert entry.args["checkin_id"] == str(row.id)
    assert entry.args["member_id"] == str(data.ana)
    assert entry.args["admitted"] is True and entry.args["method"] == "search"
    assert entry.args["membership_id"] == str(outcome.membership_id)
    assert entry.device_time == NOW and entry.hlc
    assert desk.sync.pending_count() == 1 and desk.sync.oldest_pending_at() == NOW
    assert desk.sync.status().pending_count == 1


def test_refusal_is_recorded_but_is_not_an_admission(desk: KioskCore, data: DeskData) -> None:
    outcome = desk.checkin.check_in(data.jose, CheckinMethod.CARD)
    assert not outcome.admitted and outcome.recorded
    assert outcome.reason.startswith("membership expired on")
    [row] = local(desk).checkins()
    assert not row.admitted and row.reason == outcome.reason
    assert outbox(desk).pending()[0].args["admitted"] is False


def test_crash_between_the_two_writes_leaves_neither(
    desk: KioskCore, data: DeskData, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(self: LocalRepository, record: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(LocalRepository, "add_checkin", boom)
    with pytest.raises(RuntimeError):
        desk.checkin.check_in(data.ana, CheckinMethod.SEARCH)
    monkeypatch.undo()
    assert local(desk).checkins() == [] and desk.sync.pending_count() == 0


def test_override_admits_and_records_staff_and_reason(desk: KioskCore, data: DeskData) -> None:
    staff = desk.store.connection().execute("SELECT id FROM staff LIMIT 1").fetchone()[0]
    staff_id = uuid.UUID(staff)
    refused = desk.checkin.check_in(data.jose, CheckinMethod.SEARCH)
    assert not refused.admitted
    with pytest.raises(CheckinError, match="reason"):
        desk.checkin.check_in(data.jose, CheckinMethod.SEARCH, override=Override(staff_id, " "))
    admitted = desk.checkin.check_in(
        data.jose, CheckinMethod.SEARCH, override=(staff_id, "Renewing now")
    )
    assert admitted.admitted and not admitted.repeated
    assert admitted.warning == "Staff override: Renewing now"
    rows = local(desk).checkins()
    assert [r.admitted for r in rows] == [False, True]
    assert rows[1].override_staff_id == staff_id and rows[1].override_reason == "Renewing now"
    args = outbox(desk).pending()[1].args
    assert args["override_by"] == str(staff_id) and args["override_reason"] == "Renewing now"
    assert args["reason"].startswith("membership expired on")  # what the rules said


def test_same_member_within_five_seconds_is_not_recorded_again(
    desk: KioskCore, data: DeskData, clock: Clock
) -> None:
    first = desk.checkin.check_in(data.ana, CheckinMethod.QR)
    clock.advance(4.9)
    again = desk.checkin.check_in(data.ana, CheckinMethod.QR)
    assert again.repeated and again.checkin_id == first.checkin_id and again.admitted
    assert len(local(desk).checkins()) == 1
    clock.advance(0.2)
    later = desk.checkin.check_in(data.ana, CheckinMethod.QR)
    assert not later.repeated and later.checkin_id != first.checkin_id
    assert len(local(desk).checkins()) == 2


def test_class_pack_credits_cannot_be_overspent_offline(
    desk: KioskCore, data: DeskData, clock: Clock, fake_server: FakeServer
) -> None:
    fake_server.down = True
    first = desk.checkin.check_in(data.bea, CheckinMethod.CARD)
    assert first.admitted
    clock.advance(4 * 3600)  # back hours later: a visit of its own, not a re-entry
    second = desk.checkin.check_in(data.bea, CheckinMethod.CARD)
    assert not second.admitted and second.reason == "no credits left"
    # A new snapshot that has not seen the pending admission keeps it counted.
    fake_server.down = False
    fake_server.server_time = clock.now()
    desk.sync.refresh()
    clock.advance(60)
    assert not desk.checkin.check_in(data.bea, CheckinMethod.CARD).admitted


def test_visits_used_adds_local_admissions_to_the_snapshot_count(
    desk: KioskCore, data: DeskData, clock: Clock, decider: RecordingDecider
) -> None:
    # Dora's plan allows 2 a week; the server had counted 1 this week.
    assert desk.checkin.check_in(data.dora, CheckinMethod.SEARCH).admitted
    assert list(decider.calls[-1]["visits_used"].values()) == [1]
    clock.advance(4 * 3600)  # a visit of its own, not a re-entry
    refused = desk.checkin.check_in(data.dora, CheckinMethod.SEARCH)
    assert list(decider.calls[-1]["visits_used"].values()) == [2]
    assert not refused.admitted and refused.reason.startswith("weekly limit of 2 visits reached")
    # Next Monday a new week starts: the snapshot's count no longer applies.
    clock.advance(timedelta(days=5).total_seconds())
    assert desk.checkin.check_in(data.dora, CheckinMethod.SEARCH).admitted
    assert list(decider.calls[-1]["visits_used"].values()) == [0]


def test_without_a_decider_check_in_says_so(
    desk: KioskCore, data: DeskData, fake_server: FakeServer, clock: Clock, tmp_path: Path
) -> None:
    desk.close()
    undecided = desk_core(tmp_path / "kiosk", fake_server, clock, without_rules=True)
    try:
        with pytest.raises(CheckinError, match="eligibility"):
            undecided.checkin.check_in(data.ana, CheckinMethod.SEARCH)
        assert undecided.sync.pending_count() == 0
    finally:
        undecided.close()


def test_unknown_member_is_not_recorded(desk: KioskCore) -> None:
    import uuid

    outcome = desk.checkin.check_in(uuid.uuid4(), CheckinMethod.SEARCH)
    assert not outcome.admitted and not outcome.recorded
    assert desk.sync.pending_count() == 0
