"""Pure rules of corporate billing: the split of a seat's fee, the month invoiced, and who
holds a seat in it. No database, no clock."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision

SPLITS = ("company_all", "percentage", "fixed")


class SplitError(ValueError):
    """A split that cannot be applied to its fee."""


@dataclass(frozen=True)
class Share:
    company: Decimal
    employee: Decimal


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency``: 0.01 for GBP, 1 for JPY."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


def split_fee(
    fee: Decimal,
    split: str,
    *,
    currency: str,
    company_percent: Decimal | None = None,
    company_amount: Decimal | None = None,
) -> Share:
    """One seat's ``fee`` as (company, employee), each rounded to the currency's minor unit,
    never negative, always adding up to the fee. The company's share is the one rounded
    (half up); the employee pays exactly what is left."""
    unit = minor_unit(currency)
    fee = fee.quantize(unit, rounding=ROUND_HALF_UP)
    if fee < 0:
        raise SplitError("a seat's fee is never negative")
    if split == "company_all":
        company = fee
    elif split == "percentage":
        if company_percent is None or not Decimal(0) <= company_percent <= Decimal(100):
            raise SplitError("the company's percentage is between 0 and 100")
        company = (fee * company_percent / Decimal(100)).quantize(unit, rounding=ROUND_HALF_UP)
    elif split == "fixed":
        if company_amount is None or company_amount < 0:
            raise SplitError("the company's fixed amount is 0 or more")
        if company_amount > fee:
            raise SplitError("the company's fixed amount is more than the seat's fee")
        company = company_amount.quantize(unit, rounding=ROUND_HALF_UP)
    else:
        raise SplitError(f"unknown split {split!r}: one of {', '.join(SPLITS)}")
    return Share(company=company, employee=fee - company)


def month_bounds(month: str) -> tuple[date, date]:
    """``2026-11`` → (1 November, 30 November)."""
    try:
        year_text, month_text = month.split("-")
        year, number = int(year_text), int(month_text)
        first = date(year, number, 1)
    except ValueError as error:
        raise ValueError(f"{month!r} is not a month written YYYY-MM") from error
    if len(year_text) != 4 or len(month_text) != 2:
        raise ValueError(f"{month!r} is not a month written YYYY-MM")
    return first, date(year, number, calendar.monthrange(year, number)[1])


def invoice_number(sequence: int) -> str:
    return f"CI-{sequence:06d}"


def package_runs_in(starts_on: date, ends_on: date | None, first: date, last: date) -> bool:
    """Whether a package was live on at least one day of the month ``first``..``last``."""
    return starts_on <= last and (ends_on is None or ends_on >= first)


def holds_seat(
    status: str, covered_until: date | None, activated_on: date | None, *, first: date, last: date
) -> bool:
    """Whether a roster row holds a seat in the month ``first``..``last``: activated by the
    month's last day, and not ended, or ended but covered on at least one day of it.

    A seat counts for the whole month if it was held on any day (no pro-rating): the company
    buys seat-months, and an employee who joins on the 20th used the month's access too.
    A suspended employee keeps their seat: suspension pauses access, not the contract."""
    if activated_on is None or activated_on > last:
        return False
    if status == "ended":
        return covered_until is not None and covered_until >= first
    return True


def seats_left(seats: int | None, taken: int) -> int | None:
    """Seats still free in a pool of ``seats`` (None: no limit); never below 0."""
    return None if seats is None else max(0, seats - taken)
