"""Access plan settings that must hang together, and desk sales, checked by the API's
schemas before any route runs: each refusal and the reason people read (no database)."""

from __future__ import annotations

from typing import Any

import pytest

from server.plans.schemas import PlanCreate, SaleCreate
from tests.integration.plans_helpers import DAY_PASS, GUEST_PASS, MONTHLY, PACK
from tests.unit.request_validation import answer, refusal

INVALID: list[tuple[dict[str, Any], str]] = [
    ({**MONTHLY, "billing_period": None}, "a recurring plan needs a billing_period"),
    ({**MONTHLY, "credits": 10}, "credits are for class packs only, not for a recurring"),
    ({**MONTHLY, "validity_days": 30}, "validity_days is for packs and passes"),
    ({**PACK, "billing_period": "month"}, "a class pack has no billing_period"),
    ({**PACK, "credits": None}, "a class pack needs credits"),
    ({**PACK, "credits": 0}, "credits: Input should be greater than or equal to 1"),
    ({**PACK, "validity_days": None}, "a class pack needs validity_days"),
    ({**DAY_PASS, "validity_days": 7}, "a day pass is valid for 1 day"),
    ({**MONTHLY, "price": "-1"}, "price: Input should be greater than or equal to 0"),
    ({**MONTHLY, "price": "9.999"}, "price: Decimal input should have no more than 2 decimal"),
    ({**MONTHLY, "currency": "gbp"}, "'gbp' is not an ISO 4217 currency code"),
    ({**MONTHLY, "currency": "POUND"}, "is not an ISO 4217 currency code"),
    ({**MONTHLY, "location_rule": "listed"}, "'listed' needs at least one location"),
    ({**MONTHLY, "visit_limit": 8}, "give visit_limit and visit_limit_period together"),
    ({**MONTHLY, "visit_limit_period": "week"}, "give visit_limit and visit_limit_period"),
    ({**MONTHLY, "visit_limit_mode": "warn"}, "visit_limit_mode needs a visit_limit"),
    ({**MONTHLY, "kind": "yearly"}, "kind: Input should be"),
    ({**MONTHLY, "name": ""}, "name: String should have at least 1 character"),
    ({**MONTHLY, "colour": "red"}, "colour: Extra inputs are not permitted"),
]


@pytest.mark.parametrize(("body", "message"), INVALID)
def test_inconsistent_plans_are_refused_with_a_readable_reason(
    body: dict[str, Any], message: str
) -> None:
    assert message in refusal(PlanCreate, body)


@pytest.mark.parametrize("body", [MONTHLY, PACK, DAY_PASS, GUEST_PASS])
def test_consistent_plans_pass(body: dict[str, Any]) -> None:
    response = answer(PlanCreate, body)
    assert response.status_code == 200, response.text


SALE = {
    "sale_id": "0190f5d2-1c4b-7a3e-9d2f-3b5c6d7e8f90",
    "member_id": "0190f5d2-1c4b-7a3e-9d2f-3b5c6d7e8f91",
    "plan_id": "0190f5d2-1c4b-7a3e-9d2f-3b5c6d7e8f92",
    "method": "cash",
    "amount": "12.50",
    "currency": "GBP",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": "12.505"}, "amount: Decimal input should have no more than 2 decimal"),
        (
            {"method": "cheque"},
            "method: Input should be 'cash', 'card_terminal', 'card_on_file' or 'mobile_money'",
        ),
        ({"method": "mobile_money"}, "mobile_money (phone and provider) goes with method"),
        (
            {"mobile_money": {"phone": "0240000001", "provider": "mtn"}},
            "mobile_money (phone and provider) goes with method mobile_money only",
        ),
        (
            {"method": "mobile_money", "mobile_money": {"phone": "call me", "provider": "mtn"}},
            "phone",
        ),
        ({"currency": "pounds"}, "is not an ISO 4217 currency code"),
    ],
)
def test_a_malformed_sale_is_refused(change: dict[str, Any], message: str) -> None:
    assert message in refusal(SaleCreate, {**SALE, **change})
    assert answer(SaleCreate, SALE).status_code == 200
