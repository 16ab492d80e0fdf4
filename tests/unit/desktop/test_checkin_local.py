"""Local rows and the outbox: kept apart from pulled state, durable across restarts."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta
from pathlib import Path

from desktop.core.kiosk import KioskCore
from desktop.core.store import LocalRepository, MemberRepository, OutboxRepository
from shared.enums import CheckinMethod, PaymentMethod
from tests.unit.desktop.checkin_fakes import (
    Clock,
    DeskData,
    desk_core,
)
from tests.unit.desktop.kiosk_fakes import FakeServer


def test_snapshot_never_overwrites_local_rows(
    desk: KioskCore, data: DeskData, fake_server: FakeServer, clock: Clock
) -> None:
    walkin = desk.checkin.register_walkin("Eve", "Walker", phone="07700 111222")
    assert walkin.member is not None
    sale, _ = desk.checkin.sell_pass(data.day_pass, walkin.member.id, PaymentMethod.CASH)
    # The server now knows Eve under the same id, with other details; and drops a plan.
    fake_server.members.append(
        {"id": str(walkin.member.id), "first_name": "Eve", "last_name": "Server-Side"}
    )
    fake_server.plans = [p for p in fake_server.plans if p["id"] != str(data.day_pass)]
    fake_server.server_time = clock.now()
    desk.sync.refresh()
    member = MemberRepository(desk.store.connection()).get(walkin.member.id)
    assert member is not None and member.last_name == "Walker" and member.local
    assert [h.name for h in desk.checkin.search_members("eve")] == ["Eve Walker"]
    [membership] = MemberRepository(desk.store.connection()).memberships([walkin.member.id])
    assert membership.local and membership.plan.name == "Day Pass"
    assert LocalRepository(desk.store.connection()).sale_ids() == [sale.sale_id]
    assert desk.sync.pending_count() == 3  # member, sale, check-in


def test_snapshot_replaces_pulled_state_wholesale(
    desk: KioskCore, fake_server: FakeServer, data: DeskData
) -> None:
    fake_server.members = [m for m in fake_server.members if m["id"] != str(data.carl)]
    fake_server.revoked_pass_ids = [str(uuid.uuid4())]
    fake_server.pass_keys = [{"key_id": 7, "public_key": base64.b64encode(b"k" * 32).decode()}]
    desk.sync.refresh()
    assert desk.checkin.search_members("carl") == []
    keyring = desk.checkin.pass_keyring()
    location = desk.store.connection().execute("SELECT tenant_id FROM location").fetchone()[0]
    assert keyring.public_keys(uuid.UUID(location)) == {7: b"k" * 32}
    assert keyring.public_keys(uuid.uuid4()) == {}  # another tenant's passes: no keys
    assert keyring.is_revoked(uuid.UUID(fake_server.revoked_pass_ids[0]))
    assert not keyring.is_revoked(uuid.uuid4())


def test_outbox_ids_increase_across_restarts_and_acks(
    tmp_path: Path, desk: KioskCore, data: DeskData, fake_server: FakeServer, clock: Clock
) -> None:
    first = desk.checkin.check_in(data.ana, CheckinMethod.SEARCH)
    assert first.recorded
    with desk.store.transaction() as conn:
        assert OutboxRepository(conn).remove([1]) == 1
    last_hlc = OutboxRepository(desk.store.connection()).last_hlc()
    desk.close()
    clock.at -= timedelta(hours=2)  # the wall clock went back while the kiosk was off
    again = desk_core(tmp_path / "kiosk", fake_server, clock)
    try:
        clock.advance(10)
        again.checkin.check_in(data.ana, CheckinMethod.SEARCH)
        clock.advance(10)
        again.checkin.check_in(data.bea, CheckinMethod.SEARCH)
        entries = OutboxRepository(again.store.connection()).pending()
        assert [e.mutation_id for e in entries] == [2, 3]
        hlcs = [e.hlc for e in entries]
        assert last_hlc is not None and last_hlc < hlcs[0] < hlcs[1]
    finally:
        again.close()


def test_scan_results_route_to_check_in(desk: KioskCore, data: DeskData, clock: Clock) -> None:
    from desktop.core.scanning import ScanKind, ScanResult
    from shared.qr import PassClaims, PassVerdict, VerdictCode

    pass_id = uuid.uuid4()
    claims = PassClaims(uuid.uuid4(), data.ana, pass_id, clock.now(), 1)
    ok = ScanResult(
        ScanKind.PASS_OK, "ZM1:...", verdict=PassVerdict(True, VerdictCode.OK, "", claims)
    )
    outcome = desk.checkin.check_in_scan(ok)
    assert outcome is not None and outcome.admitted and outcome.method is CheckinMethod.QR
    assert LocalRepository(desk.store.connection()).checkins()[0].pass_id == pass_id
    refused = desk.checkin.check_in_scan(
        ScanResult(ScanKind.PASS_REFUSED, "x", reason="Pass expired")
    )
    assert refused is not None and not refused.admitted and not refused.recorded
    assert refused.reason == "Pass expired"
    barcode = desk.checkin.check_in_scan(ScanResult(ScanKind.BARCODE, "2002"))
    assert barcode is not None and barcode.member_name == "Bea O'Brien"
    assert desk.checkin.check_in_scan(ScanResult(ScanKind.NOTHING)) is None
    assert desk.sync.pending_count() == 2
