"""The split of a seat's fee, the month invoiced, and who holds a seat in it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.corporate_billing import rules


def test_the_company_pays_all() -> None:
    share = rules.split_fee(Decimal("40.00"), "company_all", currency="GBP")
    assert share == rules.Share(Decimal("40.00"), Decimal("0.00"))


def test_a_percentage_rounds_the_companys_part_half_up() -> None:
    # 33.33 % of 25.00 = 8.3325 → 8.33; the employee pays 25.00 − 8.33 = 16.67.
    share = rules.split_fee(
        Decimal("25.00"), "percentage", currency="GBP", company_percent=Decimal("33.33")
    )
    assert share == rules.Share(Decimal("8.33"), Decimal("16.67"))
    # 50 % of 0.05 = 0.025 → 0.03 (half up); the employee pays 0.02.
    share = rules.split_fee(
        Decimal("0.05"), "percentage", currency="GBP", company_percent=Decimal("50")
    )
    assert share == rules.Share(Decimal("0.03"), Decimal("0.02"))


def test_a_currency_without_minor_units_rounds_to_whole_units() -> None:
    # 75 % of 1,001 yen = 750.75 → 751; the employee pays 250.
    share = rules.split_fee(
        Decimal("1001"), "percentage", currency="JPY", company_percent=Decimal("75")
    )
    assert share == rules.Share(Decimal("751"), Decimal("250"))


def test_a_fixed_amount_leaves_the_rest_to_the_employee() -> None:
    # 25.50 − 20.00 = 5.50.
    share = rules.split_fee(Decimal("25.50"), "fixed", currency="GBP", company_amount=Decimal("20"))
    assert share == rules.Share(Decimal("20.00"), Decimal("5.50"))


@pytest.mark.parametrize(
    ("split", "percent", "amount"),
    [
        ("fixed", None, Decimal("40.01")),  # above the fee
        ("fixed", None, Decimal("-1")),
        ("fixed", None, None),
        ("percentage", Decimal("100.01"), None),
        ("percentage", Decimal("-0.01"), None),
        ("percentage", None, None),
        ("half", None, None),
    ],
)
def test_a_split_that_cannot_apply_is_refused(
    split: str, percent: Decimal | None, amount: Decimal | None
) -> None:
    with pytest.raises(rules.SplitError):
        rules.split_fee(
            Decimal("40.00"),
            split,
            currency="GBP",
            company_percent=percent,
            company_amount=amount,
        )


fees = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False)


@given(
    fee=fees,
    percent=st.decimals(min_value=0, max_value=100, places=2, allow_nan=False),
    fraction=st.decimals(min_value=0, max_value=1, places=4, allow_nan=False),
    currency=st.sampled_from(["GBP", "GHS", "JPY", "KWD"]),
)
def test_the_two_shares_always_add_up_to_the_fee(
    fee: Decimal, percent: Decimal, fraction: Decimal, currency: str
) -> None:
    unit = rules.minor_unit(currency)
    fee = fee.quantize(unit)
    amount = (fee * fraction).quantize(unit, rounding="ROUND_DOWN")
    for split, kwargs in (
        ("company_all", {}),
        ("percentage", {"company_percent": percent}),
        ("fixed", {"company_amount": amount}),
    ):
        share = rules.split_fee(fee, split, currency=currency, **kwargs)
        assert share.company + share.employee == fee
        assert share.company >= 0 and share.employee >= 0
        assert share.company == share.company.quantize(unit)


def test_month_bounds() -> None:
    assert rules.month_bounds("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
    assert rules.month_bounds("2028-02") == (date(2028, 2, 1), date(2028, 2, 29))
    for bad in ("2026-13", "2026-1", "26-01", "november", "2026-00"):
        with pytest.raises(ValueError):
            rules.month_bounds(bad)


def test_who_holds_a_seat_in_march() -> None:
    first, last = date(2026, 3, 1), date(2026, 3, 31)

    def holds(status: str, until: date | None, activated: date | None) -> bool:
        return rules.holds_seat(status, until, activated, first=first, last=last)

    assert holds("active", None, date(2026, 1, 5))
    assert holds("suspended", None, date(2026, 1, 5))
    # Activated on the month's last day: a seat for the whole month (no pro-rating).
    assert holds("active", None, date(2026, 3, 31))
    assert not holds("active", None, date(2026, 4, 1))
    assert not holds("active", None, None)
    # Ended, covered to 1 March: one day of March, so March's seat.
    assert holds("ended", date(2026, 3, 1), date(2026, 1, 5))
    assert not holds("ended", date(2026, 2, 28), date(2026, 1, 5))
    assert not holds("ended", None, date(2026, 1, 5))


def test_package_runs_and_seats_left() -> None:
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    assert rules.package_runs_in(date(2026, 3, 31), None, first, last)
    assert not rules.package_runs_in(date(2026, 4, 1), None, first, last)
    assert rules.package_runs_in(date(2026, 1, 1), date(2026, 3, 1), first, last)
    assert not rules.package_runs_in(date(2026, 1, 1), date(2026, 2, 28), first, last)
    assert rules.seats_left(10, 3) == 7
    assert rules.seats_left(2, 3) == 0
    assert rules.seats_left(None, 3) is None
    assert rules.invoice_number(12) == "CI-000012"
