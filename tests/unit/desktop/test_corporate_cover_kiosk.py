"""Corporate cover at the kiosk, offline: a pulled membership that a company pays for is
admitted with the company named, as the server's door says it; one without a cover (or a
membership sold at this kiosk) says nothing of one."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from desktop.core.checkin.card import CardFacts, Usage, build_card
from desktop.core.store import MemberRepository
from shared.enums import CheckinMethod, PlanKind
from tests.unit.desktop.checkin_fakes import Clock, desk_core
from tests.unit.desktop.kiosk_fakes import FakeServer

AT = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)


def test_the_kiosk_names_the_company_that_pays_offline(tmp_path: Path) -> None:
    server = FakeServer()
    server.server_time = AT
    plan = server.add_plan("Acme access", "corporate", "0", billing_period="month")
    covered = server.add_member("Ama", "Owusu", card_number="7001")
    server.add_membership(covered, plan, date(2025, 1, 1), covered_by="Acme Ltd")
    alone = server.add_member("Kojo", "Mensah", card_number="7002")
    server.add_membership(alone, plan, date(2025, 1, 1))
    core = desk_core(tmp_path / "kiosk", server, Clock(AT))
    server.down = True
    try:
        [held] = MemberRepository(core.store.connection()).memberships([covered])
        assert held.covered_by == "Acme Ltd"
        ama = core.checkin.check_in(covered, CheckinMethod.CARD)
        assert (ama.admitted, ama.reason) == (True, "admitted on Acme access, covered by Acme Ltd")
        kojo = core.checkin.check_in(alone, CheckinMethod.CARD)
        assert (kojo.admitted, kojo.reason) == (True, "admitted on Acme access")
    finally:
        core.close()


def test_the_card_says_who_covers_an_admission_only() -> None:
    usage = Usage(plan_name="Acme access", kind=PlanKind.CORPORATE, covered_by="Acme Ltd")
    facts = CardFacts(name="Ama Owusu", admitted=True, reason="", today=AT.date(), usage=usage)
    assert build_card(facts).lines == ("Acme access", "Covered by Acme Ltd")
    refused = replace(facts, admitted=False, reason="payment overdue")
    assert build_card(refused).lines == ()
    plain = replace(facts, usage=replace(usage, covered_by=None))
    assert build_card(plain).lines == ("Acme access",)
