from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.core.checkin import unknown_code_message
from desktop.core.checkin.search import membership_summary
from desktop.core.kiosk import KioskCore
from desktop.core.store import CachedMembership, CachedPlan
from shared.enums import CheckinMethod, LimitMode, LocationRule, MembershipStatus, PlanKind
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


def names(core: KioskCore, query: str) -> list[str]:
    return [hit.name for hit in core.checkin.search_members(query)]


def test_name_prefixes_in_any_order_case_and_accent_insensitive(desk: KioskCore) -> None:
    assert names(desk, "ana") == ["Ana Smith"]
    assert names(desk, "smith ana") == ["Ana Smith"]
    assert names(desk, "SMI") == ["Ana Smith", "Dora Smithson"]
    assert names(desk, "jose nunez") == ["José Núñez"]
    assert names(desk, "Núñ") == ["José Núñez"]
    assert names(desk, "obrien") == ["Bea O'Brien"]
    assert names(desk, "o'brien") == ["Bea O'Brien"]
    assert names(desk, "zzz") == []
    assert names(desk, "   ") == []


def test_exact_word_ranks_before_prefix(desk: KioskCore, fake_server: FakeServer) -> None:
    assert names(desk, "smith") == ["Ana Smith", "Dora Smithson"]
    assert names(desk, "smithson") == ["Dora Smithson"]


def test_phone_digits_partial_and_email(desk: KioskCore) -> None:
    assert names(desk, "900123") == ["Ana Smith"]
    assert names(desk, "+44 7700 900") == ["Bea O'Brien", "Ana Smith"]  # by last name
    assert names(desk, "07700 900456") == ["José Núñez"]
    assert names(desk, "carl@example.com") == ["Carl Jones"]
    assert names(desk, "ana.smith@") == ["Ana Smith"]
    # A single word also matches the start of an email address.
    assert names(desk, "jose") == ["José Núñez"]


def test_results_carry_phone_and_membership_summary(desk: KioskCore) -> None:
    [ana] = desk.checkin.search_members("ana smith")
    assert ana.phone == "+44 7700 900123"
    assert ana.summary.startswith("Monthly Unlimited")
    [carl] = desk.checkin.search_members("carl")
    assert carl.summary == "No membership"
    [jose] = desk.checkin.search_members("jose")
    assert jose.summary == "No current membership"
    [bea] = desk.checkin.search_members("bea")
    assert "1 credits" in bea.summary


def test_at_most_twenty_results(desk: KioskCore) -> None:
    for i in range(30):
        desk.checkin.register_walkin(f"Sam{i}", "Walker", phone=f"0700000{i:04d}")
    assert len(desk.checkin.search_members("sam")) == 20
    assert len(desk.checkin.search_members("walker", limit=500)) == 20


def test_walk_ins_are_found_with_pulled_members(desk: KioskCore) -> None:
    desk.checkin.register_walkin("Anabel", "Smart", email="anabel@example.com")
    assert names(desk, "ana") == ["Ana Smith", "Anabel Smart"]
    assert desk.checkin.search_members("anabel")[0].local


def test_lookup_by_barcode_and_card_normalised(desk: KioskCore, data: DeskData) -> None:
    member, method = desk.checkin.search.by_scanned_code("zm000123")
    assert member is not None and member.id == data.ana and method is CheckinMethod.BARCODE
    member, method = desk.checkin.search.by_scanned_code(" 2002 ")
    assert member is not None and member.id == data.bea and method is CheckinMethod.CARD
    assert desk.checkin.search.by_scanned_code("1234")[0] is None


def test_unknown_card_is_refused_and_not_recorded(desk: KioskCore) -> None:
    outcome = desk.checkin.check_in_code("1234")
    assert not outcome.admitted and not outcome.recorded
    assert outcome.reason == unknown_code_message("1234")
    assert outcome.reason == "Unknown card 1234 — not linked to any member"
    assert desk.sync.pending_count() == 0


def test_scanned_card_and_barcode_methods(desk: KioskCore, data: DeskData, clock: Clock) -> None:
    by_card = desk.checkin.check_in_code("1001")
    assert by_card.admitted and by_card.method is CheckinMethod.CARD
    clock.advance(10)
    by_barcode = desk.checkin.check_in_code("ZM000123")
    assert by_barcode.admitted and by_barcode.method is CheckinMethod.BARCODE
    clock.advance(10)
    bea = desk.checkin.check_in_code("2002")
    assert bea.method is CheckinMethod.CARD and bea.member_name == "Bea O'Brien"


def _monthly(status: MembershipStatus) -> CachedMembership:
    plan = CachedPlan(
        id=uuid.uuid4(),
        name="Monthly",
        kind=PlanKind.RECURRING,
        price=Decimal("40.00"),
        currency="GBP",
        credits=None,
        validity_days=None,
        location_rule=LocationRule.ALL,
        location_ids=(),
        visit_limit=None,
        visit_limit_period=None,
        visit_limit_mode=LimitMode.BLOCK,
        active=True,
    )
    return CachedMembership(
        id=uuid.uuid4(),
        member_id=uuid.uuid4(),
        plan=plan,
        status=status,
        starts_on=date(2026, 1, 1),
        ends_on=None,
        frozen_until=None,
        credits_remaining=None,
        home_location_id=None,
    )


def test_the_summary_says_when_a_renewal_is_unpaid() -> None:
    today = date(2026, 5, 1)
    for status in (MembershipStatus.PAST_DUE, MembershipStatus.SUSPENDED):
        assert membership_summary([_monthly(status)], today) == "Monthly (payment overdue)"
    both = [_monthly(MembershipStatus.SUSPENDED), _monthly(MembershipStatus.ACTIVE)]
    assert membership_summary(both, today) == "Monthly; Monthly (payment overdue)"
