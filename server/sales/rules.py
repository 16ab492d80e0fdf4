"""Rules of money, as plain functions: refunds never exceed what was charged, revenue periods
start on local days, and no sum mixes currencies."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal("0.00")
#: The widest revenue report: a few years of days keeps the answer bounded.
MAX_REPORT_DAYS = 3 * 366 + 1


def refund_problem(amount: Decimal, charged: Decimal, refunded: Decimal) -> str | None:
    """Why ``amount`` cannot be refunded on a sale that charged ``charged`` and gave back
    ``refunded`` already; None when it can."""
    left = charged - refunded
    if left <= 0:
        return "this sale has been refunded in full already"
    if amount > left:
        return f"only {left} is left to refund on this sale, not {amount}"
    return None


def period_start(day: date, period: str) -> date:
    """The first day of the day/week/month ``day`` falls in (ISO weeks: Monday)."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


@dataclass
class Bucket:
    sales: int = 0
    gross: Decimal = ZERO
    refunds: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.gross - self.refunds


#: (group id, period start, currency): a currency is part of every key, so nothing adds two.
BucketKey = tuple[uuid.UUID, date, str]


def buckets(
    period: str, rows: Iterable[tuple[uuid.UUID, str, date, str, int, Decimal, Decimal]]
) -> dict[BucketKey, Bucket]:
    """Sums folded into periods, one bucket per group, period and currency."""
    result: dict[BucketKey, Bucket] = {}
    for group, _name, day, currency, count, gross, refunds in rows:
        bucket = result.setdefault((group, period_start(day, period), currency), Bucket())
        bucket.sales += count
        bucket.gross += gross
        bucket.refunds += refunds
    return result
