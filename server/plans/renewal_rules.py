"""When a recurring membership renews, how a declined renewal is retried, and the renewal's
payment key, as plain functions.

Renewal dates count whole billing periods from the anchor (the membership's first day), never
from the previous renewal: a plan started on 31 January renews on 28 (or 29) February and
then on 31 March, not on the 28th of every month after.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from shared.enums import MembershipStatus

#: Days after the first declined charge of a renewal on which it is tried again; after the
#: last one fails too, the membership is suspended.
RETRY_DAYS = (1, 3, 7)

#: Namespace of renewal payment keys (a fixed UUID: the same renewal gives the same key in
#: every process, on every run).
_RENEWAL_KEYS = uuid.UUID("6f1d6c1e-5b0a-4d43-9d0e-2c1b7a9e4f13")


def period_step(billing_period: str, periods: int) -> relativedelta:
    if billing_period == "year":
        return relativedelta(years=periods)
    if billing_period == "month":
        return relativedelta(months=periods)
    raise ValueError(f"unknown billing period {billing_period!r}")


def renewal_on(anchor: date, billing_period: str, periods: int) -> date:
    """The day period number ``periods`` (0 is the first) of a membership starting on
    ``anchor`` begins: clamped to the month's last day when the anchor day does not exist."""
    result: date = anchor + period_step(billing_period, periods)
    return result


def periods_covering(anchor: date, billing_period: str, today: date) -> int:
    """How many periods from ``anchor`` have begun by ``today`` (at least 1): the periods a
    membership starting on ``anchor`` has been billed for when it is sold or imported on
    ``today``, so that an old start date does not bill every period since."""
    periods = 1
    while renewal_on(anchor, billing_period, periods) <= today:
        periods += 1
    return periods


def renewal_key(membership_id: uuid.UUID, period: int, attempt: int) -> uuid.UUID:
    """The payment's idempotency key of one attempt to charge ``period`` of a membership.

    Deterministic, so a second process or a re-run charges the same attempt at most once;
    each retry has its own key, because a provider answers a repeated key with the first
    answer (a decline) without trying the card again.
    """
    return uuid.uuid5(_RENEWAL_KEYS, f"renewal:{membership_id}:{period}:{attempt}")


@dataclass(frozen=True)
class BillingState:
    """What a recurring membership's renewal columns hold."""

    status: MembershipStatus
    anchor: date
    billing_period: str
    #: Periods billed so far: the next renewal starts period number ``periods_billed``.
    periods_billed: int
    #: Declined attempts at the current renewal.
    failed_charges: int = 0
    first_failed_on: date | None = None

    @property
    def next_renewal_on(self) -> date:
        return renewal_on(self.anchor, self.billing_period, self.periods_billed)


@dataclass(frozen=True)
class BillingChange:
    """The renewal columns after one charge attempt."""

    status: MembershipStatus
    periods_billed: int
    next_renewal_on: date
    #: When the job charges next; None when it stops (suspended).
    next_charge_on: date | None
    failed_charges: int
    first_failed_on: date | None


def after_charge(state: BillingState, succeeded: bool, today: date) -> BillingChange:
    """The membership after the attempt made on ``today`` succeeded or was declined."""
    if succeeded:
        periods = state.periods_billed + 1
        renews = renewal_on(state.anchor, state.billing_period, periods)
        status = state.status
        if status in (MembershipStatus.PAST_DUE, MembershipStatus.SUSPENDED):
            status = MembershipStatus.ACTIVE
        return BillingChange(status, periods, renews, renews, 0, None)
    failed = state.failed_charges + 1
    first = state.first_failed_on or today
    renews = state.next_renewal_on
    if failed > len(RETRY_DAYS):
        return BillingChange(
            MembershipStatus.SUSPENDED, state.periods_billed, renews, None, failed, first
        )
    retry = first + timedelta(days=RETRY_DAYS[failed - 1])
    return BillingChange(
        MembershipStatus.PAST_DUE, state.periods_billed, renews, retry, failed, first
    )
