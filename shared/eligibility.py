"""Eligibility at the door: may this member come in, on which membership, and why (not).

Pure functions over plain dataclasses: no database, no clock. Visit-limit periods are
counted in the location's own time zone: a month starts at local midnight on the 1st, a week
at local midnight on Monday.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.enums import LimitMode, LimitPeriod, LocationRule, MembershipStatus, PlanKind
from shared.memberships import PAYMENT_OVERDUE, MembershipState, effective_status, human_date
from shared.time_windows import TimeWindow
from shared.time_windows import refusal as off_peak_refusal


@dataclass(frozen=True)
class PlanTerms:
    name: str
    kind: PlanKind
    location_rule: LocationRule = LocationRule.ALL
    location_ids: frozenset[uuid.UUID] = frozenset()
    visit_limit: int | None = None
    visit_limit_period: LimitPeriod | None = None
    visit_limit_mode: LimitMode = LimitMode.BLOCK
    #: Off-peak plans: the weekly windows it admits in (empty: any time).
    time_windows: tuple[TimeWindow, ...] = ()


@dataclass(frozen=True)
class MembershipTerms:
    id: uuid.UUID
    plan: PlanTerms
    status: MembershipStatus
    starts_on: date
    ends_on: date | None = None
    frozen_until: date | None = None
    credits_remaining: int | None = None
    home_location_id: uuid.UUID | None = None
    #: The company that pays for it (a corporate membership): the door says so.
    covered_by: str | None = None


@dataclass(frozen=True)
class Decision:
    admitted: bool
    reason: str
    membership_id: uuid.UUID | None = None
    warning: str | None = None
    #: True when admitting uses one class-pack credit of ``membership_id``.
    consumes_credit: bool = False


NO_MEMBERSHIP = "no active membership"

# How close a refusal came to an admission: the closest one is the reason shown.
_EXPIRED_RANK = 7
_RANKS = {
    "limit": 0,
    "credits": 1,
    "off_peak": 2,
    "location": 3,
    "overdue": 4,
    "frozen": 5,
    "starts": 6,
    "expired": _EXPIRED_RANK,
    "cancelled": 8,
}


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The instant ``day`` begins at a location, in UTC.

    Where midnight does not exist (a DST gap at 00:00) the day begins at the gap's end; where
    it happens twice, at the first one: ``fold=0`` with zoneinfo gives exactly that.
    """
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def period_bounds(at: datetime, tz: ZoneInfo, period: LimitPeriod) -> tuple[datetime, datetime]:
    """The UTC [start, end) of the week or month containing ``at`` in the zone ``tz``."""
    local = at.astimezone(tz).date()
    if period is LimitPeriod.WEEK:
        first = local - timedelta(days=local.weekday())
        after = first + timedelta(days=7)
    else:
        first = local.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
    return local_midnight(first, tz), local_midnight(after, tz)


def preference(membership: MembershipTerms) -> tuple[int, date, uuid.UUID]:
    """Recurring (and corporate) cover first; then packs and passes by earliest expiry."""
    group = 0 if membership.plan.kind in (PlanKind.RECURRING, PlanKind.CORPORATE) else 1
    return group, membership.ends_on or date.max, membership.id


def valid_at(
    membership: MembershipTerms, location_id: uuid.UUID, member_home: uuid.UUID | None
) -> bool:
    rule = membership.plan.location_rule
    if rule is LocationRule.ALL:
        return True
    if rule is LocationRule.LISTED:
        return location_id in membership.plan.location_ids
    home = membership.home_location_id or member_home
    return home is not None and home == location_id


def _limit_words(period: LimitPeriod) -> tuple[str, str]:
    return ("weekly", "week") if period is LimitPeriod.WEEK else ("monthly", "month")


def _status_refusal(
    membership: MembershipTerms, status: MembershipStatus, today: date
) -> tuple[str, str] | None:
    """(refusal kind, reason) when the membership's status as of ``today`` keeps the member
    out."""
    if status is MembershipStatus.CANCELLED:
        return "cancelled", "membership cancelled"
    if status is MembershipStatus.EXPIRED:
        assert membership.ends_on is not None
        return "expired", f"membership expired on {human_date(membership.ends_on, today)}"
    if status is MembershipStatus.FROZEN:
        until = membership.frozen_until
        return "frozen", (
            f"membership frozen until {human_date(until, today)}" if until else "membership frozen"
        )
    if status is MembershipStatus.PENDING:
        return "starts", f"membership starts on {human_date(membership.starts_on, today)}"
    # Suspended (every retry of the renewal failed) refuses. Past due is the grace period
    # while the card is retried (7 days at most): the member is let in and told, so one
    # declined card does not turn a paying member away before they could fix it.
    if status is MembershipStatus.SUSPENDED:
        return "overdue", PAYMENT_OVERDUE
    if status is MembershipStatus.AWAITING_PAYMENT:
        return "overdue", "mobile money payment not confirmed yet"
    return None


def _admitted(plan_name: str, note: str, credits: int | None, covered_by: str | None) -> str:
    """What the door says of an admission: the plan, the credits left, who pays for it."""
    reason = f"admitted on {plan_name}{note}"
    if credits is not None:
        left = credits - 1
        reason += f", {left} credit{'' if left == 1 else 's'} left"
    if covered_by:
        reason += f", covered by {covered_by}"
    return reason


def _check_one(
    membership: MembershipTerms,
    *,
    location_id: uuid.UUID,
    member_home: uuid.UUID | None,
    local: datetime,
    visits_used: int,
    credit_prepaid: bool = False,
) -> tuple[str, str] | Decision:
    """A Decision admitting on this membership, or (refusal kind, reason)."""
    today = local.date()
    state = MembershipState(
        membership.status, membership.starts_on, membership.ends_on, membership.frozen_until
    )
    status = effective_status(state, today)
    refusal = _status_refusal(membership, status, today)
    if refusal is not None:
        return refusal
    if not valid_at(membership, location_id, member_home):
        return "location", "not valid at this location"
    if membership.plan.time_windows:
        off_peak = off_peak_refusal(membership.plan.time_windows, local)
        if off_peak is not None:
            return "off_peak", off_peak
    credits = membership.credits_remaining
    if credits is not None and credit_prepaid:
        # Into a class booked on this pack: the booking took the credit already.
        credits = None
        prepaid_note = ", credit taken when booked"
    else:
        prepaid_note = ""
    if credits is not None and credits <= 0:
        return "credits", "no credits left"
    plan = membership.plan
    warnings: list[str] = []
    if status is MembershipStatus.PAST_DUE:
        warnings.append(PAYMENT_OVERDUE)
    if plan.visit_limit is not None and plan.visit_limit_period is not None:
        adjective, noun = _limit_words(plan.visit_limit_period)
        if visits_used >= plan.visit_limit and plan.visit_limit_mode is LimitMode.BLOCK:
            visits = "visit" if plan.visit_limit == 1 else "visits"
            return "limit", f"{adjective} limit of {plan.visit_limit} {visits} reached"
        if visits_used + 1 >= plan.visit_limit:
            warnings.append(f"{visits_used + 1} of {plan.visit_limit} visits this {noun}")
    return Decision(
        admitted=True,
        reason=_admitted(plan.name, prepaid_note, credits, membership.covered_by),
        membership_id=membership.id,
        warning="; ".join(warnings) or None,
        consumes_credit=credits is not None,
    )


def decide(
    memberships: Sequence[MembershipTerms],
    *,
    location_id: uuid.UUID,
    member_home_location_id: uuid.UUID | None,
    at: datetime,
    tz: ZoneInfo,
    visits_used: Mapping[uuid.UUID, int],
    credit_prepaid: bool = False,
) -> Decision:
    """Admit on the first membership, in order of preference, that lets the member in.

    ``visits_used`` counts admissions per membership in the limit period containing ``at``.
    ``credit_prepaid``: a check-in into a class the member holds a booking for, whose
    class-pack credit was taken at booking; a pack with no credits left still admits then.
    When none admits, the refusal that came closest to an admission gives the reason.
    """
    if at.tzinfo is None:
        raise ValueError("decide() needs an aware datetime")
    local = at.astimezone(tz)
    refusals: list[tuple[tuple[int, int], str, uuid.UUID]] = []
    for index, membership in enumerate(sorted(memberships, key=preference)):
        outcome = _check_one(
            membership,
            location_id=location_id,
            member_home=member_home_location_id,
            local=local,
            visits_used=visits_used.get(membership.id, 0),
            credit_prepaid=credit_prepaid,
        )
        if isinstance(outcome, Decision):
            return outcome
        kind, reason = outcome
        rank = _RANKS[kind]
        # Among expired memberships, the most recently expired one is the one to mention.
        tie = -(membership.ends_on or date.min).toordinal() if rank == _EXPIRED_RANK else index
        refusals.append(((rank, tie), reason, membership.id))
    if not refusals:
        return Decision(admitted=False, reason=NO_MEMBERSHIP)
    _, reason, membership_id = min(refusals, key=lambda r: r[0])
    return Decision(admitted=False, reason=reason, membership_id=membership_id)
