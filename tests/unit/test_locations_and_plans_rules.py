"""Closures, special hours and off-peak windows: the shared rules the server and the kiosk
both apply."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from shared.closures import ClosureDays, closure_on, day_notice, hours_on, hours_warning
from shared.eligibility import MembershipTerms, PlanTerms, decide
from shared.enums import LocationRule, MembershipStatus, PlanKind
from shared.opening_hours import OpeningHours, OpeningInterval
from shared.time_windows import TimeWindow, describe, refusal

LONDON = ZoneInfo("Europe/London")
HERE = uuid.uuid4()
WEEKLY = OpeningHours.model_validate(
    {d: [{"opens": "07:00", "closes": "21:00"}] for d in ("mon", "tue", "wed", "thu", "fri")}
)
CHRISTMAS = ClosureDays(
    id=uuid.uuid4(), name="Christmas", starts_on=date(2025, 12, 24), ends_on=date(2025, 12, 26)
)
EVE = ClosureDays(
    id=uuid.uuid4(),
    name="Christmas Eve",
    starts_on=date(2025, 12, 24),
    ends_on=date(2025, 12, 24),
    hours=[OpeningInterval(opens="10:00", closes="14:00")],
)


def test_the_shortest_closure_decides_a_day() -> None:
    closures = [CHRISTMAS, EVE]
    assert closure_on(closures, date(2025, 12, 24)) == EVE
    assert closure_on(closures, date(2025, 12, 25)) == CHRISTMAS
    assert closure_on(closures, date(2025, 12, 27)) is None
    assert day_notice(closures, date(2025, 12, 25)) == "Closed today: Christmas"
    assert day_notice(closures, date(2025, 12, 24)) == "Today's hours 10:00–14:00 (Christmas Eve)"
    assert day_notice(closures, date(2025, 12, 29)) is None
    assert hours_on(WEEKLY, closures, date(2025, 12, 25)) == []
    assert [i.opens for i in hours_on(WEEKLY, closures, date(2025, 12, 29))] == ["07:00"]


def _at(day: date, hhmm: str) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("day", "starts", "ends", "expected"),
    [
        (date(2025, 12, 29), "07:00", "08:00", None),  # Monday, inside
        (date(2025, 12, 29), "06:00", "07:00", "outside the location's opening hours"),
        (date(2025, 12, 29), "20:30", "21:30", "outside the location's opening hours"),
        (date(2025, 12, 27), "09:00", "10:00", "opening hours: closed"),  # a Saturday
        (date(2025, 12, 25), "09:00", "10:00", "closed on Thursday 25 December (Christmas)"),
        (date(2025, 12, 24), "10:00", "11:00", None),  # inside the special hours
        (date(2025, 12, 24), "15:00", "16:00", "special hours (Christmas Eve): 10:00–14:00"),
    ],
)
def test_a_class_outside_the_hours_gets_a_warning(
    day: date, starts: str, ends: str, expected: str | None
) -> None:
    warning = hours_warning(WEEKLY, [CHRISTMAS, EVE], _at(day, starts), _at(day, ends))
    if expected is None:
        assert warning is None
    else:
        assert warning is not None and expected in warning


def test_a_location_without_weekly_hours_warns_only_of_closures() -> None:
    none = OpeningHours()
    assert (
        hours_warning(
            none, [CHRISTMAS], _at(date(2025, 12, 29), "05:00"), _at(date(2025, 12, 29), "06:00")
        )
        is None
    )
    assert hours_warning(
        none, [CHRISTMAS], _at(date(2025, 12, 25), "09:00"), _at(date(2025, 12, 25), "10:00")
    )


def test_time_windows_describe_themselves_and_refuse_bad_input() -> None:
    weekdays = TimeWindow(days=("fri", "mon", "tue", "wed", "thu"), starts="10:00", ends="16:00")
    assert weekdays.days == ("mon", "tue", "wed", "thu", "fri")
    assert describe([weekdays]) == "10:00–16:00 on weekdays"
    weekend = TimeWindow(days=("sat", "sun"), starts="08:00", ends="24:00")
    early = TimeWindow(days=("mon", "wed"), starts="06:00", ends="09:00")
    assert describe([early, weekend]) == "06:00–09:00 on Mon, Wed; 08:00–24:00 on weekends"
    assert refusal([weekdays], _at(date(2025, 12, 29), "12:00")) is None
    assert refusal([], _at(date(2025, 12, 27), "12:00")) is None
    for bad in (
        {"days": [], "starts": "10:00", "ends": "16:00"},
        {"days": ["mon", "mon"], "starts": "10:00", "ends": "16:00"},
        {"days": ["mon"], "starts": "16:00", "ends": "10:00"},
        {"days": ["mon"], "starts": "25:00", "ends": "26:00"},
        {"days": ["monday"], "starts": "10:00", "ends": "16:00"},
    ):
        with pytest.raises(ValidationError):
            TimeWindow.model_validate(bad)


def _off_peak(**plan: object) -> MembershipTerms:
    window = TimeWindow(days=("mon", "tue", "wed", "thu", "fri"), starts="10:00", ends="16:00")
    return MembershipTerms(
        id=uuid.uuid4(),
        plan=PlanTerms(name="Off-peak", kind=PlanKind.RECURRING, time_windows=(window,), **plan),  # type: ignore[arg-type]
        status=MembershipStatus.ACTIVE,
        starts_on=date(2026, 1, 1),
    )


@pytest.mark.parametrize(
    ("at", "admitted"),
    [
        (datetime(2026, 3, 27, 9, 30, tzinfo=UTC), False),  # Friday, 09:30 GMT
        (datetime(2026, 3, 27, 15, 30, tzinfo=UTC), True),  # Friday, 15:30 GMT
        (datetime(2026, 3, 29, 9, 30, tzinfo=UTC), False),  # the change day is a Sunday
        (datetime(2026, 3, 30, 9, 30, tzinfo=UTC), True),  # Monday, 10:30 BST
        (datetime(2026, 3, 30, 15, 30, tzinfo=UTC), False),  # Monday, 16:30 BST
        (datetime(2026, 10, 26, 15, 30, tzinfo=UTC), True),  # back to GMT: 15:30
    ],
)
def test_the_server_rule_reads_the_window_in_local_time_across_dst(
    at: datetime, admitted: bool
) -> None:
    decision = decide(
        [_off_peak()],
        location_id=HERE,
        member_home_location_id=None,
        at=at,
        tz=LONDON,
        visits_used={},
    )
    assert decision.admitted is admitted
    if not admitted:
        assert decision.reason == "Off-peak plan: valid 10:00–16:00 on weekdays"


def test_another_membership_that_admits_wins_over_the_off_peak_refusal() -> None:
    anytime = MembershipTerms(
        id=uuid.uuid4(),
        plan=PlanTerms(name="Anytime", kind=PlanKind.RECURRING),
        status=MembershipStatus.ACTIVE,
        starts_on=date(2026, 1, 1),
    )
    saturday = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    both = decide(
        [_off_peak(), anytime],
        location_id=HERE,
        member_home_location_id=None,
        at=saturday,
        tz=LONDON,
        visits_used={},
    )
    assert (both.admitted, both.reason) == (True, "admitted on Anytime")
    # Not valid here at all is a farther refusal than the wrong hour.
    elsewhere = _off_peak(location_rule=LocationRule.LISTED, location_ids=frozenset({uuid.uuid4()}))
    refused = decide(
        [elsewhere, _off_peak()],
        location_id=HERE,
        member_home_location_id=None,
        at=saturday,
        tz=LONDON,
        visits_used={},
    )
    assert refused.reason == "Off-peak plan: valid 10:00–16:00 on weekdays"
