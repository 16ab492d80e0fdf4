"""Walk-ins and day/guest pass sales at the desk, offline."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.core.checkin import MEMBER_CREATE, SALE_CREATE, InputError
from desktop.core.kiosk import KioskCore
from desktop.core.store import LocalRepository, OutboxEntry, OutboxRepository
from shared.enums import CheckinMethod, PaymentMethod
from tests.unit.desktop.checkin_fakes import (
    Clock,
    DeskData,
    desk_core,
)
from tests.unit.desktop.kiosk_fakes import FakeServer


def entries(core: KioskCore, name: str) -> list[OutboxEntry]:
    return [e for e in OutboxRepository(core.store.connection()).pending() if e.name == name]


def test_walkin_is_registered_locally_with_a_client_uuid7(desk: KioskCore) -> None:
    result = desk.checkin.register_walkin("  Eve ", "Walker", phone="07700 111222")
    assert result.created and result.duplicates == []
    member = result.member
    assert member is not None and member.id.version == 7 and member.first_name == "Eve"
    [entry] = entries(desk, MEMBER_CREATE)
    assert entry.args["member_id"] == str(member.id)
    assert entry.args["source"] == "desk" and entry.args["phone"] == "07700 111222"
    assert desk.checkin.search_members("eve walker")[0].member_id == member.id


@pytest.mark.parametrize(
    ("first", "last", "phone", "email", "message"),
    [
        ("", "Walker", "0770011122", "", "first name"),
        ("Eve", " ", "0770011122", "", "last name"),
        ("Eve", "Walker", "", "", "phone number or an email"),
        ("Eve", "Walker", "", "eve@", "not an email address"),
        ("Eve", "Walker", "call me", "", "not a phone number"),
    ],
)
def test_walkin_input_errors_are_words(
    desk: KioskCore, first: str, last: str, phone: str, email: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        desk.checkin.register_walkin(first, last, phone=phone, email=email)
    assert desk.sync.pending_count() == 0


def test_walkin_duplicates_are_offered_instead_of_registering(
    desk: KioskCore, data: DeskData
) -> None:
    # Same email in another case; same phone written differently.
    result = desk.checkin.register_walkin("Annie", "Smith", email="ANA.SMITH@example.com")
    assert not result.created and [d.member_id for d in result.duplicates] == [data.ana]
    result = desk.checkin.register_walkin("B", "OBrien", phone="+44-7700-900789")
    assert not result.created and [d.name for d in result.duplicates] == ["Bea O'Brien"]
    assert desk.sync.pending_count() == 0
    # Local walk-ins count as well.
    desk.checkin.register_walkin("Eve", "Walker", email="eve@example.com")
    again = desk.checkin.register_walkin("Eve", "Walker", email="Eve@Example.com")
    assert not again.created and again.duplicates[0].local
    forced = desk.checkin.register_walkin(
        "Eve", "Walker", email="eve@example.com", allow_duplicates=True
    )
    assert forced.created
    assert entries(desk, MEMBER_CREATE)[-1].args["possible_duplicate_of"] == [
        str(again.duplicates[0].member_id)
    ]


def test_day_pass_sale_then_check_in(
    desk: KioskCore, data: DeskData, fake_server: FakeServer
) -> None:
    fake_server.down = True  # works offline
    walkin = desk.checkin.register_walkin("Eve", "Walker", phone="07700 111222")
    assert walkin.member is not None
    assert {p.name for p in desk.checkin.pass_plans()} == {"Day Pass", "Guest Pass"}
    sale, outcome = desk.checkin.sell_pass(
        data.day_pass, walkin.member.id, PaymentMethod.CARD_TERMINAL
    )
    assert outcome.admitted and outcome.membership_id == sale.membership_id
    assert sale.amount == Decimal("15.00") and sale.sale_id.version == 7
    # 09:15 UTC on 8 January is the same day in London.
    assert sale.starts_on == sale.ends_on == date(2025, 1, 8)
    [entry] = entries(desk, SALE_CREATE)
    assert entry.args["sale_id"] == str(sale.sale_id)
    assert entry.args["amount"] == "15.00" and entry.args["currency"] == "GBP"
    assert entry.args["payment_method"] == "card_terminal"
    assert entry.args["guest_of_id"] is None
    assert [e.name for e in OutboxRepository(desk.store.connection()).pending()] == [
        MEMBER_CREATE,
        SALE_CREATE,
        "checkin.create.v1",
    ]


def test_each_sale_has_its_own_idempotency_key(
    desk: KioskCore, data: DeskData, clock: Clock
) -> None:
    first, _ = desk.checkin.sell_pass(data.day_pass, data.carl, PaymentMethod.CASH)
    clock.advance(1)
    second, _ = desk.checkin.sell_pass(data.day_pass, data.carl, PaymentMethod.CASH)
    assert first.sale_id != second.sale_id
    keys = [e.args["sale_id"] for e in entries(desk, SALE_CREATE)]
    assert keys == [str(first.sale_id), str(second.sale_id)]
    assert LocalRepository(desk.store.connection()).sale_ids() == [first.sale_id, second.sale_id]


def test_day_pass_is_for_the_local_day(
    tmp_path: Path, fake_server: FakeServer, data: DeskData
) -> None:
    # 23:30 UTC on 8 January is already 9 January in Auckland.
    fake_server.timezone = "Pacific/Auckland"
    clock = Clock(datetime(2025, 1, 8, 23, 30, tzinfo=UTC))
    core = desk_core(tmp_path / "nz", fake_server, clock)
    try:
        sale, _ = core.checkin.sell_pass(data.day_pass, data.carl, PaymentMethod.CASH)
        assert sale.starts_on == date(2025, 1, 9)
    finally:
        core.close()


def test_guest_pass_needs_the_bringing_member(desk: KioskCore, data: DeskData) -> None:
    with pytest.raises(InputError, match="brings the guest"):
        desk.checkin.sell_pass(data.guest_pass, data.carl, PaymentMethod.CASH)
    with pytest.raises(InputError, match="different people"):
        desk.checkin.sell_pass(
            data.guest_pass, data.carl, PaymentMethod.CASH, guest_of_id=data.carl
        )
    with pytest.raises(InputError, match="day pass or guest pass"):
        desk.checkin.sell_pass(data.monthly, data.carl, PaymentMethod.CASH)
    assert desk.sync.pending_count() == 0
    _, outcome = desk.checkin.sell_pass(
        data.guest_pass, data.carl, PaymentMethod.CASH, guest_of_id=data.ana
    )
    assert outcome.admitted
    assert entries(desk, SALE_CREATE)[0].args["guest_of_id"] == str(data.ana)


def test_refused_then_buys_a_pass_is_admitted_at_once(desk: KioskCore, data: DeskData) -> None:
    assert not desk.checkin.check_in(data.carl, CheckinMethod.CARD).admitted
    _, outcome = desk.checkin.sell_pass(data.day_pass, data.carl, PaymentMethod.CASH)
    assert outcome.admitted and not outcome.repeated
