"""Recurring billing as pure rules: renewal dates across month ends, the retry schedule, the
payment keys, and what the door says about an unpaid membership."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from server.plans.renewal_rules import (
    BillingState,
    after_charge,
    periods_covering,
    renewal_key,
    renewal_on,
)
from shared.eligibility import Decision, MembershipTerms, PlanTerms, decide
from shared.enums import LimitMode, LimitPeriod, MembershipStatus, PlanKind
from shared.memberships import MembershipState, effective_status

LONDON = ZoneInfo("Europe/London")
HERE = uuid.uuid4()


def test_a_plan_started_on_the_31st_renews_on_the_last_day_of_short_months() -> None:
    anchor = date(2027, 1, 31)
    assert [renewal_on(anchor, "month", n) for n in range(1, 5)] == [
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
    ]
    assert renewal_on(date(2028, 1, 31), "month", 1) == date(2028, 2, 29)


def test_an_annual_plan_started_on_29_february_renews_on_28_february() -> None:
    anchor = date(2028, 2, 29)
    assert renewal_on(anchor, "year", 1) == date(2029, 2, 28)
    assert renewal_on(anchor, "year", 4) == date(2032, 2, 29)


def test_a_back_dated_membership_is_billed_up_to_today_not_from_its_start() -> None:
    anchor = date(2025, 1, 31)
    assert periods_covering(anchor, "month", date(2025, 1, 31)) == 1
    assert periods_covering(anchor, "month", date(2025, 2, 27)) == 1
    assert periods_covering(anchor, "month", date(2025, 2, 28)) == 2
    periods = periods_covering(anchor, "month", date(2026, 12, 5))
    assert renewal_on(anchor, "month", periods) == date(2026, 12, 31)


def test_an_unknown_billing_period_is_an_error() -> None:
    with pytest.raises(ValueError, match="week"):
        renewal_on(date(2027, 1, 1), "week", 1)


def test_renewal_keys_are_the_same_for_the_same_attempt_and_new_for_each_retry() -> None:
    membership = uuid.uuid4()
    assert renewal_key(membership, 3, 0) == renewal_key(membership, 3, 0)
    keys = {renewal_key(membership, p, a) for p in (1, 2) for a in range(4)}
    assert len(keys) == 8
    assert renewal_key(uuid.uuid4(), 3, 0) != renewal_key(membership, 3, 0)


def _state(**changes: object) -> BillingState:
    values: dict[str, object] = {
        "status": MembershipStatus.ACTIVE,
        "anchor": date(2027, 1, 31),
        "billing_period": "month",
        "periods_billed": 1,
    }
    values.update(changes)
    return BillingState(**values)  # type: ignore[arg-type]


def test_a_paid_renewal_moves_the_next_one_on_by_a_period_from_the_anchor() -> None:
    change = after_charge(_state(), True, date(2027, 2, 28))
    assert (change.status, change.periods_billed) == (MembershipStatus.ACTIVE, 2)
    assert change.next_renewal_on == change.next_charge_on == date(2027, 3, 31)
    assert (change.failed_charges, change.first_failed_on) == (0, None)


def test_declines_retry_on_days_1_3_and_7_then_suspend() -> None:
    day = date(2027, 2, 28)
    state = _state()
    seen = []
    for today in (day, date(2027, 3, 1), date(2027, 3, 3), date(2027, 3, 7)):
        change = after_charge(state, False, today)
        seen.append((change.status, change.next_charge_on))
        assert change.next_renewal_on == day
        assert change.first_failed_on == day
        state = _state(
            status=change.status,
            failed_charges=change.failed_charges,
            first_failed_on=change.first_failed_on,
        )
    assert seen == [
        (MembershipStatus.PAST_DUE, date(2027, 3, 1)),
        (MembershipStatus.PAST_DUE, date(2027, 3, 3)),
        (MembershipStatus.PAST_DUE, date(2027, 3, 7)),
        (MembershipStatus.SUSPENDED, None),
    ]


def test_a_successful_retry_restores_the_membership_and_extends_it() -> None:
    state = _state(
        status=MembershipStatus.PAST_DUE, failed_charges=1, first_failed_on=date(2027, 2, 28)
    )
    change = after_charge(state, True, date(2027, 3, 1))
    assert change.status is MembershipStatus.ACTIVE
    assert change.next_renewal_on == date(2027, 3, 31)
    assert (change.failed_charges, change.first_failed_on) == (0, None)


NOON = datetime(2027, 3, 2, 12, 0, tzinfo=UTC)


def _terms(status: MembershipStatus, plan: PlanTerms | None = None) -> MembershipTerms:
    return MembershipTerms(
        id=uuid.uuid4(),
        plan=plan or PlanTerms(name="Monthly", kind=PlanKind.RECURRING),
        status=status,
        starts_on=date(2027, 1, 31),
    )


def _decide(*memberships: MembershipTerms, used: int = 0) -> Decision:
    return decide(
        memberships,
        location_id=HERE,
        member_home_location_id=None,
        at=NOON,
        tz=LONDON,
        visits_used={m.id: used for m in memberships},
    )


def test_the_door_refuses_a_suspended_membership_with_payment_overdue() -> None:
    decision = _decide(_terms(MembershipStatus.SUSPENDED))
    assert (decision.admitted, decision.reason) == (False, "Payment overdue")


def test_the_door_admits_a_past_due_membership_with_a_payment_overdue_warning() -> None:
    decision = _decide(_terms(MembershipStatus.PAST_DUE))
    assert decision.admitted
    assert decision.warning == "Payment overdue"
    limited = PlanTerms(
        name="Eight a month",
        kind=PlanKind.RECURRING,
        visit_limit=8,
        visit_limit_period=LimitPeriod.MONTH,
        visit_limit_mode=LimitMode.WARN,
    )
    both = _decide(_terms(MembershipStatus.PAST_DUE, limited), used=7)
    assert both.warning == "Payment overdue; 8 of 8 visits this month"


def test_another_membership_that_admits_wins_over_a_suspended_one() -> None:
    decision = _decide(_terms(MembershipStatus.SUSPENDED), _terms(MembershipStatus.ACTIVE))
    assert decision.admitted
    assert decision.warning is None


def test_payment_overdue_is_shown_before_a_frozen_or_ended_membership() -> None:
    ended = MembershipTerms(
        id=uuid.uuid4(),
        plan=PlanTerms(name="Old", kind=PlanKind.RECURRING),
        status=MembershipStatus.ACTIVE,
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 2, 1),
    )
    decision = _decide(ended, _terms(MembershipStatus.SUSPENDED))
    assert decision.reason == "Payment overdue"


def test_an_unpaid_membership_keeps_its_status_until_it_ends_or_is_cancelled() -> None:
    for status in (MembershipStatus.PAST_DUE, MembershipStatus.SUSPENDED):
        state = MembershipState(status, date(2027, 1, 31), None, None)
        assert effective_status(state, date(2027, 3, 2)) is status
        assert effective_status(state, date(2027, 1, 1)) is MembershipStatus.PENDING
        ended = MembershipState(status, date(2027, 1, 31), date(2027, 2, 28), None)
        assert effective_status(ended, date(2027, 3, 2)) is MembershipStatus.EXPIRED
