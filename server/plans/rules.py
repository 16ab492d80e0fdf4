"""Access plan consistency and membership life-cycle rules, as plain functions."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from shared.enums import LimitMode, LimitPeriod, LocationRule, MembershipStatus, PlanKind
from shared.memberships import UNPAID, MembershipState, effective_status, human_date

CURRENCY = re.compile(r"^[A-Z]{3}$")
PASS_KINDS = frozenset({PlanKind.DAY_PASS, PlanKind.GUEST_PASS})
#: Plans sold over the counter at the desk (POST /sales).
DESK_SOLD_KINDS = PASS_KINDS


def periods_overlap(first: tuple[date, date | None], second: tuple[date, date | None]) -> bool:
    """Whether two runs of days (last day included; None: open-ended) share a day."""
    (a_start, a_end), (b_start, b_end) = first, second
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)


def check_currency(code: str) -> str:
    if not CURRENCY.match(code):
        raise ValueError(f"{code!r} is not an ISO 4217 currency code; use 3 capitals such as 'GBP'")
    return code


@dataclass(frozen=True)
class PlanSpec:
    """Everything about a plan that must hang together, whether created or patched."""

    kind: PlanKind
    price: Decimal
    billing_period: str | None = None
    credits: int | None = None
    validity_days: int | None = None
    location_rule: LocationRule = LocationRule.ALL
    location_ids: tuple[uuid.UUID, ...] = ()
    visit_limit: int | None = None
    visit_limit_period: LimitPeriod | None = None
    visit_limit_mode: LimitMode | None = None


def plan_problems(spec: PlanSpec) -> list[str]:
    """What makes this combination of plan settings inconsistent; empty when it is fine."""
    problems: list[str] = []
    if spec.price < 0:
        problems.append("price cannot be negative")
    problems += _billing_problems(spec)
    problems += _credit_problems(spec)
    if spec.kind is PlanKind.DAY_PASS and spec.validity_days not in (None, 1):
        problems.append("a day pass is valid for 1 day; leave validity_days out or give 1")
    problems += _location_problems(spec)
    problems += _visit_limit_problems(spec)
    return problems


def _kind_words(spec: PlanSpec) -> str:
    return spec.kind.value.replace("_", " ")


def _billing_problems(spec: PlanSpec) -> list[str]:
    if spec.kind is not PlanKind.RECURRING:
        if spec.billing_period is not None and spec.kind is not PlanKind.CORPORATE:
            return [f"a {_kind_words(spec)} has no billing_period; only recurring plans are billed"]
        return []
    problems = []
    if spec.billing_period is None:
        problems.append("a recurring plan needs a billing_period: month or year")
    if spec.validity_days is not None:
        problems.append(
            "a recurring plan renews every billing period; validity_days is for packs and passes"
        )
    return problems


def _credit_problems(spec: PlanSpec) -> list[str]:
    if spec.kind is not PlanKind.CLASS_PACK:
        if spec.credits is not None:
            return [f"credits are for class packs only, not for a {_kind_words(spec)}"]
        return []
    problems = []
    if spec.credits is None:
        problems.append("a class pack needs credits: how many visits it holds (1 or more)")
    if spec.validity_days is None:
        problems.append("a class pack needs validity_days: how long its credits last")
    return problems


def _location_problems(spec: PlanSpec) -> list[str]:
    if spec.location_rule is LocationRule.LISTED and not spec.location_ids:
        return ["location_rule 'listed' needs at least one location in location_ids"]
    if spec.location_rule is not LocationRule.LISTED and spec.location_ids:
        return ["location_ids are only used with location_rule 'listed'"]
    return []


def _visit_limit_problems(spec: PlanSpec) -> list[str]:
    problems = []
    if (spec.visit_limit is None) != (spec.visit_limit_period is None):
        problems.append(
            "give visit_limit and visit_limit_period together (e.g. 8 per month), or neither"
        )
    if spec.visit_limit is None and spec.visit_limit_mode is not None:
        problems.append("visit_limit_mode needs a visit_limit")
    return problems


def default_validity_days(kind: PlanKind, validity_days: int | None) -> int | None:
    if kind in PASS_KINDS and validity_days is None:
        return 1
    return validity_days


def default_ends_on(
    kind: PlanKind, billing_period: str | None, validity_days: int | None, starts_on: date
) -> date | None:
    """The last valid day of a membership that starts on ``starts_on`` (inclusive).

    Recurring and corporate memberships renew every billing period until they are
    cancelled, so they have no end unless one is given.
    """
    if kind in (PlanKind.RECURRING, PlanKind.CORPORATE):
        return None
    if validity_days is not None:
        return starts_on + timedelta(days=validity_days - 1)
    return None


def freeze_refusal(state: MembershipState, until: date, today: date) -> str | None:
    """Why this membership cannot be frozen until ``until``; None when it can."""
    status = effective_status(state, today)
    if status is MembershipStatus.CANCELLED:
        return "a cancelled membership cannot be frozen"
    if status is MembershipStatus.EXPIRED:
        assert state.ends_on is not None
        return f"this membership expired on {human_date(state.ends_on, today)}; it cannot be frozen"
    if status in UNPAID:
        # Freezing would set the status aside and with it the unpaid renewal.
        return f"this membership is {status.value.replace('_', ' ')}: the renewal is unpaid"
    if status is MembershipStatus.FROZEN:
        assert state.frozen_until is not None
        return (
            f"this membership is already frozen until {human_date(state.frozen_until, today)}; "
            "unfreeze it first"
        )
    return None


def unfreeze_refusal(state: MembershipState, today: date) -> str | None:
    status = effective_status(state, today)
    if status is not MembershipStatus.FROZEN:
        return f"this membership is not frozen (it is {status.value})"
    return None


def cancel_refusal(state: MembershipState, today: date) -> str | None:
    status = effective_status(state, today)
    if status is MembershipStatus.CANCELLED:
        return "this membership is already cancelled"
    if status is MembershipStatus.EXPIRED:
        assert state.ends_on is not None
        return f"this membership already expired on {human_date(state.ends_on, today)}"
    return None
