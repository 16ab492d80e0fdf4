"""Eligibility at the door, as pure rules: every reason, the order of preference, limits, time."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.eligibility import (
    NO_MEMBERSHIP,
    Decision,
    MembershipTerms,
    PlanTerms,
    decide,
)
from shared.enums import LimitMode, LimitPeriod, LocationRule, MembershipStatus, PlanKind

HERE, THERE = uuid.uuid4(), uuid.uuid4()
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
NOON = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)  # a Friday

MONTHLY = PlanTerms(name="Monthly", kind=PlanKind.RECURRING)
PACK = PlanTerms(name="10 classes", kind=PlanKind.CLASS_PACK)


def membership(
    plan: PlanTerms = MONTHLY,
    *,
    status: MembershipStatus = MembershipStatus.ACTIVE,
    starts_on: date = date(2026, 1, 1),
    ends_on: date | None = date(2026, 12, 31),
    **extra: object,
) -> MembershipTerms:
    return MembershipTerms(
        id=uuid.uuid4(),
        plan=plan,
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        **extra,  # type: ignore[arg-type]
    )


def at_door(
    *memberships: MembershipTerms,
    at: datetime = NOON,
    location: uuid.UUID = HERE,
    home: uuid.UUID | None = None,
    tz: ZoneInfo = LONDON,
    used: dict[uuid.UUID, int] | None = None,
) -> Decision:
    return decide(
        list(memberships),
        location_id=location,
        member_home_location_id=home,
        at=at,
        tz=tz,
        visits_used=used or {},
    )


def test_an_active_membership_admits() -> None:
    m = membership()
    decision = at_door(m)
    assert decision.admitted and decision.membership_id == m.id
    assert decision.reason == "admitted on Monthly"
    assert not decision.consumes_credit and decision.warning is None


def test_no_membership_is_refused() -> None:
    decision = at_door()
    assert not decision.admitted and decision.reason == NO_MEMBERSHIP == "no active membership"


@pytest.mark.parametrize(
    ("terms", "reason"),
    [
        (
            {"status": MembershipStatus.FROZEN, "frozen_until": date(2026, 6, 3)},
            "membership frozen until 3 June",
        ),
        ({"ends_on": date(2026, 4, 30)}, "membership expired on 30 April"),
        ({"ends_on": date(2025, 10, 31)}, "membership expired on 31 October 2025"),
        ({"starts_on": date(2026, 12, 1)}, "membership starts on 1 December"),
        ({"status": MembershipStatus.CANCELLED}, "membership cancelled"),
    ],
)
def test_each_state_refusal_says_why(terms: dict[str, object], reason: str) -> None:
    m = membership(**terms)  # type: ignore[arg-type]
    decision = at_door(m)
    assert not decision.admitted
    assert decision.reason == reason
    assert decision.membership_id == m.id


def test_a_freeze_ends_on_its_until_day_and_expiry_is_inclusive() -> None:
    frozen = membership(status=MembershipStatus.FROZEN, frozen_until=date(2026, 5, 15))
    assert at_door(frozen).admitted  # resumes on the 15th
    last_day = membership(ends_on=date(2026, 5, 15))
    assert at_door(last_day).admitted
    # In New York it is still the 14th at 01:00 UTC on the 15th: the local day counts.
    late = datetime(2026, 5, 16, 1, 0, tzinfo=UTC)
    assert at_door(last_day, at=late, tz=NEW_YORK).admitted
    assert not at_door(last_day, at=late, tz=LONDON).admitted


def test_a_pack_uses_credits_and_refuses_without() -> None:
    pack = membership(PACK, credits_remaining=3)
    decision = at_door(pack)
    assert decision.admitted and decision.consumes_credit
    assert decision.reason == "admitted on 10 classes, 2 credits left"
    empty = membership(PACK, credits_remaining=0)
    assert at_door(empty).reason == "no credits left"
    assert not at_door(empty).admitted


def test_a_booking_that_took_the_credit_admits_into_its_class_without_another() -> None:
    empty = membership(PACK, credits_remaining=0)
    args = {"location_id": HERE, "member_home_location_id": None, "at": NOON, "tz": LONDON}
    booked = decide([empty], visits_used={}, credit_prepaid=True, **args)  # type: ignore[arg-type]
    assert booked.admitted and not booked.consumes_credit
    assert booked.reason == "admitted on 10 classes, credit taken when booked"
    # Every other rule still applies to a prepaid class.
    frozen = membership(PACK, credits_remaining=0, status=MembershipStatus.FROZEN)
    refused = decide([frozen], visits_used={}, credit_prepaid=True, **args)  # type: ignore[arg-type]
    assert not refused.admitted and "frozen" in refused.reason


@pytest.mark.parametrize(
    ("rule", "ids", "home", "admitted"),
    [
        (LocationRule.ALL, frozenset(), None, True),
        (LocationRule.LISTED, frozenset({HERE}), None, True),
        (LocationRule.LISTED, frozenset({THERE}), None, False),
        (LocationRule.HOME, frozenset(), HERE, True),
        (LocationRule.HOME, frozenset(), THERE, False),
        (LocationRule.HOME, frozenset(), None, False),
    ],
)
def test_location_rules(
    rule: LocationRule, ids: frozenset[uuid.UUID], home: uuid.UUID | None, admitted: bool
) -> None:
    plan = PlanTerms(name="Local", kind=PlanKind.RECURRING, location_rule=rule, location_ids=ids)
    decision = at_door(membership(plan), home=home)
    assert decision.admitted is admitted
    if not admitted:
        assert decision.reason == "not valid at this location"


def test_the_membership_home_wins_over_the_member_home() -> None:
    plan = PlanTerms(name="Local", kind=PlanKind.RECURRING, location_rule=LocationRule.HOME)
    assert at_door(membership(plan, home_location_id=HERE), home=THERE).admitted
    assert not at_door(membership(plan, home_location_id=THERE), home=HERE).admitted


def limited(mode: LimitMode, period: LimitPeriod = LimitPeriod.MONTH, n: int = 8) -> PlanTerms:
    return PlanTerms(
        name="Eight a month",
        kind=PlanKind.RECURRING,
        visit_limit=n,
        visit_limit_period=period,
        visit_limit_mode=mode,
    )


def test_block_mode_refuses_at_the_limit_and_warns_on_the_last_visit() -> None:
    m = membership(limited(LimitMode.BLOCK))
    assert at_door(m, used={m.id: 6}).warning is None
    last = at_door(m, used={m.id: 7})
    assert last.admitted and last.warning == "8 of 8 visits this month"
    over = at_door(m, used={m.id: 8})
    assert not over.admitted and over.reason == "monthly limit of 8 visits reached"
    weekly = membership(limited(LimitMode.BLOCK, LimitPeriod.WEEK, 3))
    assert at_door(weekly, used={weekly.id: 3}).reason == "weekly limit of 3 visits reached"


def test_warn_mode_admits_over_the_limit_with_a_warning() -> None:
    m = membership(limited(LimitMode.WARN))
    at_limit = at_door(m, used={m.id: 7})
    assert at_limit.admitted and at_limit.warning == "8 of 8 visits this month"
    over = at_door(m, used={m.id: 8})
    assert over.admitted and over.warning == "9 of 8 visits this month"
    weekly = membership(limited(LimitMode.WARN, LimitPeriod.WEEK, 3))
    assert at_door(weekly, used={weekly.id: 2}).warning == "3 of 3 visits this week"


def test_recurring_is_preferred_then_packs_by_earliest_expiry() -> None:
    late_pack = membership(PACK, credits_remaining=5, ends_on=date(2026, 9, 1))
    early_pack = membership(PACK, credits_remaining=5, ends_on=date(2026, 6, 1))
    recurring = membership(ends_on=date(2026, 12, 31))
    assert at_door(late_pack, early_pack, recurring).membership_id == recurring.id
    assert at_door(late_pack, early_pack).membership_id == early_pack.id
    # A refused recurring membership falls through to the pack.
    frozen = membership(status=MembershipStatus.FROZEN, frozen_until=date(2026, 7, 1))
    decision = at_door(frozen, late_pack)
    assert decision.admitted and decision.membership_id == late_pack.id
    blocked = membership(limited(LimitMode.BLOCK))
    decision = at_door(blocked, late_pack, used={blocked.id: 8})
    assert decision.membership_id == late_pack.id and decision.consumes_credit
    empty = membership(PACK, credits_remaining=0, ends_on=date(2026, 5, 20))
    assert at_door(empty, late_pack).membership_id == late_pack.id


def test_the_closest_refusal_is_the_reason_given() -> None:
    cancelled = membership(status=MembershipStatus.CANCELLED)
    old = membership(ends_on=date(2026, 2, 28))
    older = membership(ends_on=date(2026, 1, 31))
    empty = membership(PACK, credits_remaining=0)
    assert at_door(cancelled, older, old).reason == "membership expired on 28 February"
    assert at_door(cancelled, old, empty).reason == "no credits left"


# --- properties --------------------------------------------------------------------------

locations = st.sampled_from([HERE, THERE, uuid.UUID(int=7)])
plans = st.builds(
    PlanTerms,
    name=st.just("Plan"),
    kind=st.sampled_from(list(PlanKind)),
    location_rule=st.sampled_from(list(LocationRule)),
    location_ids=st.frozensets(locations, max_size=2),
    visit_limit=st.none() | st.integers(1, 5),
    visit_limit_period=st.sampled_from(list(LimitPeriod)),
    visit_limit_mode=st.sampled_from(list(LimitMode)),
)
days = st.dates(date(2025, 1, 1), date(2027, 12, 31))


@st.composite
def memberships(draw: st.DrawFn, credits: st.SearchStrategy[int | None]) -> MembershipTerms:
    return MembershipTerms(
        id=uuid.uuid4(),
        plan=draw(plans),
        status=draw(st.sampled_from(list(MembershipStatus))),
        starts_on=draw(days),
        ends_on=draw(st.none() | days),
        frozen_until=draw(st.none() | days),
        credits_remaining=draw(credits),
        home_location_id=draw(st.none() | locations),
    )


moments = st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC))
zones = st.sampled_from([LONDON, NEW_YORK, ZoneInfo("Africa/Accra"), ZoneInfo("Asia/Kolkata")])


@given(
    st.lists(memberships(st.integers(-2, 0)), max_size=4),
    locations,
    st.none() | locations,
    moments,
    zones,
    st.integers(0, 10),
)
def test_never_admitted_on_packs_without_credits(
    held: list[MembershipTerms],
    location: uuid.UUID,
    home: uuid.UUID | None,
    at: datetime,
    tz: ZoneInfo,
    used: int,
) -> None:
    decision = at_door(
        *held, at=at, location=location, home=home, tz=tz, used={m.id: used for m in held}
    )
    assert not decision.admitted


@given(
    st.lists(memberships(st.none() | st.integers(0, 3)), max_size=4),
    locations,
    st.none() | locations,
    moments,
    zones,
)
def test_never_admitted_outside_the_plan_locations(
    held: list[MembershipTerms],
    location: uuid.UUID,
    home: uuid.UUID | None,
    at: datetime,
    tz: ZoneInfo,
) -> None:
    decision = at_door(*held, at=at, location=location, home=home, tz=tz)
    if decision.admitted:
        chosen = next(m for m in held if m.id == decision.membership_id)
        rule = chosen.plan.location_rule
        if rule is LocationRule.LISTED:
            assert location in chosen.plan.location_ids
        elif rule is LocationRule.HOME:
            assert (chosen.home_location_id or home) == location
        local_day = at.astimezone(tz).date()
        assert chosen.status not in (MembershipStatus.CANCELLED,)
        assert chosen.starts_on <= local_day
        assert chosen.ends_on is None or local_day <= chosen.ends_on
        assert chosen.credits_remaining is None or chosen.credits_remaining > 0
