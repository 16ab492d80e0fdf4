"""The admission card's texts: plan usage, resets, expiry, birthdays and refusals' next
steps, at month ends and across daylight-saving changes; staff notes stay off the
member-facing lines."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from desktop.core.checkin.card import (
    CardFacts,
    NextStep,
    Usage,
    build_card,
    expiry_line,
    is_birthday,
    usage_line,
)
from desktop.core.checkin.model import CheckinOutcome
from shared.enums import CheckinMethod, LimitPeriod, PlanKind
from tests.unit.desktop.checkin_fakes import Clock, desk_core
from tests.unit.desktop.kiosk_fakes import FakeServer

PACK = Usage("10-class pack", PlanKind.CLASS_PACK, credits_left=7)
OFF_PEAK = Usage(
    "Off-peak", PlanKind.RECURRING, visit_limit=8, visits_used=8, period=LimitPeriod.MONTH
)


def test_usage_says_what_is_left() -> None:
    assert usage_line(PACK, date(2025, 1, 8)) == "10-class pack: 7 credits left"
    one = Usage("10-class pack", PlanKind.CLASS_PACK, credits_left=1)
    assert usage_line(one, date(2025, 1, 8)) == "10-class pack: 1 credit left"
    unlimited = Usage("Monthly Unlimited", PlanKind.RECURRING)
    assert usage_line(unlimited, date(2025, 1, 8)) == "Monthly Unlimited"


@pytest.mark.parametrize(
    ("today", "resets"),
    [
        (date(2025, 12, 31), "1 January"),  # the year turns: still just "1 January"
        (date(2025, 1, 31), "1 February"),
        (date(2025, 2, 28), "1 March"),
        (date(2024, 2, 29), "1 March"),
        (date(2025, 3, 1), "1 April"),
    ],
)
def test_a_monthly_limit_resets_on_the_first(today: date, resets: str) -> None:
    assert usage_line(OFF_PEAK, today) == f"Off-peak: 8 of 8 visits this month, resets {resets}"


def test_a_weekly_limit_resets_on_monday() -> None:
    weekly = Usage(
        "2 a week", PlanKind.RECURRING, visit_limit=2, visits_used=1, period=LimitPeriod.WEEK
    )
    sunday, monday = date(2025, 1, 12), date(2025, 1, 13)
    assert usage_line(weekly, sunday).endswith("1 of 2 visits this week, resets Monday 13 January")
    assert usage_line(weekly, monday).endswith("resets Monday 20 January")


def test_expiry_within_two_weeks() -> None:
    today = date(2025, 1, 25)

    def ends(days: int, kind: PlanKind = PlanKind.RECURRING) -> str | None:
        return expiry_line(Usage("Monthly", kind, ends_on=today + timedelta(days=days)), today)

    assert ends(0) == "Expires today"
    assert ends(1) == "Expires tomorrow"
    assert ends(7) == "Expires in 7 days (1 February)"
    assert ends(14) == "Expires in 14 days (8 February)"
    assert ends(15) is None
    assert ends(-1) is None
    assert ends(0, PlanKind.DAY_PASS) is None  # a day pass always ends today


def test_birthdays_on_the_day_and_for_29_february() -> None:
    assert is_birthday(date(1990, 3, 4), date(2025, 3, 4))
    assert not is_birthday(date(1990, 3, 4), date(2025, 3, 5))
    assert not is_birthday(None, date(2025, 3, 4))
    leapling = date(1992, 2, 29)
    assert is_birthday(leapling, date(2025, 2, 28))  # no 29th this year
    assert not is_birthday(leapling, date(2024, 2, 28))  # the 29th is coming
    assert is_birthday(leapling, date(2024, 2, 29))
    assert not is_birthday(leapling, date(2025, 3, 1))


def _facts(**fields: object) -> CardFacts:
    base: dict[str, object] = {
        "name": "Ama Owusu",
        "admitted": False,
        "reason": "no active membership",
        "today": date(2025, 12, 31),
    }
    return CardFacts(**(base | fields))  # type: ignore[arg-type]


def test_refusals_say_what_to_do_next() -> None:
    nothing = build_card(_facts())
    assert (nothing.next_step_kind, nothing.offers_sale) == (NextStep.SELL, True)
    for reason in ("membership expired on 3 March", "no credits left", "membership cancelled"):
        assert build_card(_facts(reason=reason)).offers_sale, reason
    elsewhere = build_card(
        _facts(reason="not valid at this location", valid_at=["Airport", "Osu"], usage=PACK)
    )
    assert (elsewhere.next_step_kind, elsewhere.next_step) == (
        NextStep.ELSEWHERE,
        "Valid at Airport and Osu",
    )
    assert not elsewhere.offers_sale
    limit = build_card(_facts(reason="monthly limit of 8 visits reached", usage=OFF_PEAK))
    assert (limit.next_step_kind, limit.next_step) == (
        NextStep.WAIT,
        "8 of 8 visits used this month; resets 1 January",
    )
    frozen = build_card(_facts(reason="membership frozen until 3 March"))
    assert (frozen.next_step_kind, frozen.offers_sale) == (None, False)
    assert nothing.lines == () and limit.lines == ()  # no usage line on a refusal


def test_an_admission_card_and_its_staff_notes() -> None:
    card = build_card(
        _facts(
            admitted=True,
            reason="admitted on Off-peak",
            usage=Usage(
                "Off-peak",
                PlanKind.RECURRING,
                visit_limit=8,
                visits_used=3,
                period=LimitPeriod.MONTH,
                ends_on=date(2026, 1, 5),
            ),
            date_of_birth=date(1988, 12, 31),
            alerts=["waiver missing", "balance due"],
            override_reason="manager says fine",
            override_by="Ana Manager",
        )
    )
    assert card.lines == (
        "Off-peak: 3 of 8 visits this month, resets 1 January",
        "Expires in 5 days (5 January)",
        "Happy birthday!",
    )
    assert card.staff_notes == (
        "Alert: waiver missing",
        "Alert: balance due",
        "Override by Ana Manager: manager says fine",
    )
    assert card.next_step is None


# -- from the cache, on the kiosk's clock, across the spring change in London ------------


def _limited_desk(tmp_path: Path, at: datetime) -> tuple[FakeServer, uuid.UUID, Clock]:
    server = FakeServer(timezone="Europe/London")
    server.server_time = at
    plan = server.add_plan(
        "Off-peak", "recurring", "29.00", visit_limit=8, visit_limit_period="month"
    )
    member = server.add_member("Ama", "Owusu", date_of_birth="1990-04-01")
    membership = server.add_membership(member, plan, date(2025, 1, 1))
    # 10:30 on 31 March in London (BST), 09:30 UTC: a March visit, long enough before the
    # check-ins below not to be the same visit (the re-entry window).
    server.add_checkin(member, membership, datetime(2025, 3, 31, 9, 30, tzinfo=UTC))
    return server, member, Clock(at)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # 23:00 on 31 March in London: March's second visit; no birthday yet.
        (
            datetime(2025, 3, 31, 22, 0, tzinfo=UTC),
            ("Off-peak: 2 of 8 visits this month, resets 1 April",),
        ),
        # 00:30 on 1 April in London (still 31 March in UTC): April's first, a birthday.
        (
            datetime(2025, 3, 31, 23, 30, tzinfo=UTC),
            ("Off-peak: 1 of 8 visits this month, resets 1 May", "Happy birthday!"),
        ),
    ],
)
def test_the_card_counts_in_the_locations_own_month(
    tmp_path: Path, at: datetime, expected: tuple[str, ...]
) -> None:
    server, member, clock = _limited_desk(tmp_path, at)
    core = desk_core(tmp_path / "kiosk", server, clock)
    try:
        outcome = core.checkin.check_in(member, CheckinMethod.SEARCH)
        assert outcome.admitted, outcome
        card = core.checkin.card_for(outcome)
        assert card is not None
        assert card.lines == expected
        assert card.staff_notes == ()
    finally:
        core.close()


def test_no_card_without_a_member(tmp_path: Path) -> None:
    server, _member, clock = _limited_desk(tmp_path, datetime(2025, 3, 31, 22, 0, tzinfo=UTC))
    core = desk_core(tmp_path / "kiosk", server, clock)
    try:
        unknown = CheckinOutcome(False, "Unknown card 123", CheckinMethod.CARD)
        assert core.checkin.card_for(unknown) is None
    finally:
        core.close()


def test_todays_booking_is_the_next_confirmed_class_today(tmp_path: Path) -> None:
    at = datetime(2025, 1, 8, 9, 15, tzinfo=UTC)  # 09:15 in London (GMT)
    server = FakeServer(timezone="Europe/London")
    server.server_time = at
    plan = server.add_plan("Monthly Unlimited", "recurring", "49.00")
    ama = server.add_member("Ama", "Owusu")
    server.add_membership(ama, plan, date(2025, 1, 1))
    sessions = {
        "Early Spin": at - timedelta(hours=3),  # over already
        "Evening Yoga": at + timedelta(hours=9),
        "Lunch HIIT": at + timedelta(hours=3),
        "Waitlisted Pilates": at + timedelta(hours=2),
        "Tomorrow's Row": at + timedelta(days=1),
    }
    for name, starts in sessions.items():
        session = server.add_session(name, starts, capacity=10)
        status = "waitlisted" if name.startswith("Waitlisted") else "confirmed"
        server.add_booking(session, ama, 1, status=status)
    core = desk_core(tmp_path / "kiosk", server, Clock(at))
    try:
        outcome = core.checkin.check_in(ama, CheckinMethod.SEARCH)
        card = core.checkin.card_for(outcome)
        assert card is not None
        assert card.lines == ("Monthly Unlimited", "Booked today: Lunch HIIT at 12:15")
    finally:
        core.close()


def test_a_home_location_plan_names_the_members_home(tmp_path: Path) -> None:
    at = datetime(2025, 1, 8, 9, 15, tzinfo=UTC)
    server = FakeServer(timezone="Europe/London")
    server.server_time = at
    home = uuid.uuid4()
    server.places = [{"id": str(home), "name": "Airport"}, {"id": str(uuid.uuid4()), "name": "Osu"}]
    plan = server.add_plan("Home club", "recurring", "30.00", location_rule="home")
    kofi = server.add_member("Kofi", "Boateng", home_location_id=str(home))
    server.add_membership(kofi, plan, date(2025, 1, 1))
    core = desk_core(tmp_path / "kiosk", server, Clock(at))
    try:
        outcome = core.checkin.check_in(kofi, CheckinMethod.CARD)
        card = core.checkin.card_for(outcome)
        assert not outcome.admitted and card is not None
        assert (card.next_step_kind, card.next_step) == (NextStep.ELSEWHERE, "Valid at Airport")
    finally:
        core.close()
