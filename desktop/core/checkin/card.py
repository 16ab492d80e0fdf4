"""The admission card: what the result screen says about the member beyond yes or no.

:func:`build_card` is pure (tested with dates at month ends and across daylight-saving
changes); :class:`MemberCards` gathers its inputs from the cache after a check-in.
Member-facing lines are short and large; staff notes (alerts, an override's reason) go to
the desk's smaller strip only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from desktop.core.checkin import streak
from desktop.core.checkin.model import CheckinOutcome
from desktop.core.checkin.periods import zone
from desktop.core.checkin.streak import DoorEngagement
from desktop.core.store import CachedMembership, LocalRepository, MemberRepository, Store
from desktop.core.store.codec import decode_time
from desktop.core.store.member_card import MemberCardRows
from desktop.core.store.pulled import PulledRows
from desktop.core.store.scope import ScopeRepository
from shared import eligibility
from shared.enums import BookingStatus, LimitPeriod, LocationRule, MembershipStatus, PlanKind
from shared.memberships import PAYMENT_OVERDUE, human_date

#: An expiry this close (in days) is worth telling the member about.
EXPIRY_NOTICE_DAYS = 14
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_PASSES = (PlanKind.DAY_PASS, PlanKind.GUEST_PASS)


class NextStep(StrEnum):
    """What the desk can do about a refusal."""

    SELL = "sell"  # no usable membership: sell a plan or a day pass
    ELSEWHERE = "elsewhere"  # valid at other locations
    WAIT = "wait"  # a visit limit: it resets


@dataclass(frozen=True)
class Usage:
    """The membership the decision was about, as the card describes it."""

    plan_name: str
    kind: PlanKind
    credits_left: int | None = None
    visit_limit: int | None = None
    visits_used: int | None = None
    period: LimitPeriod | None = None
    ends_on: date | None = None
    #: The renewal is unpaid and being retried: admitted, and told.
    payment_overdue: bool = False
    #: The company that pays for it (a corporate membership).
    covered_by: str | None = None


@dataclass(frozen=True)
class TodaysBooking:
    name: str
    starts_at: datetime


@dataclass(frozen=True)
class AdmissionCard:
    name: str
    #: Member-facing lines, in order: plan and usage, who pays for it, expiry, today's
    #: booking, birthday.
    lines: tuple[str, ...] = ()
    #: A refusal's next step in words, and which kind it is.
    next_step: str | None = None
    next_step_kind: NextStep | None = None
    #: For the desk only: staff alerts on the member, an override's reason.
    staff_notes: tuple[str, ...] = ()
    photo: bytes | None = None
    birthday: bool = False
    #: "6-week streak" and a badge new at this admission, for an admission only.
    streak: str | None = None
    badge: str | None = None

    @property
    def offers_sale(self) -> bool:
        return self.next_step_kind is NextStep.SELL


@dataclass(frozen=True)
class CardFacts:
    """Everything :func:`build_card` needs, read from the cache."""

    name: str
    admitted: bool
    reason: str
    today: date
    usage: Usage | None = None
    date_of_birth: date | None = None
    booking: TodaysBooking | None = None
    timezone: str = "UTC"
    alerts: Sequence[str] = ()
    override_reason: str | None = None
    override_by: str | None = None
    #: Where the refused membership is valid instead, by name.
    valid_at: Sequence[str] = ()
    photo: bytes | None = None
    #: The decision's note for the desk (e.g. how old a payer benefit check is).
    staff_note: str | None = None


def build_card(facts: CardFacts) -> AdmissionCard:
    lines: list[str] = []
    usage = facts.usage
    if usage is not None and facts.admitted:
        lines.append(usage_line(usage, facts.today))
        if usage.covered_by:
            lines.append(f"Covered by {usage.covered_by}")
        if usage.payment_overdue:
            lines.append(PAYMENT_OVERDUE)
    expiry = expiry_line(usage, facts.today) if facts.admitted and usage else None
    if expiry:
        lines.append(expiry)
    if facts.booking is not None:
        local = facts.booking.starts_at.astimezone(zone(facts.timezone))
        lines.append(f"Booked today: {facts.booking.name} at {local:%H:%M}")
    birthday = is_birthday(facts.date_of_birth, facts.today)
    if birthday:
        lines.append("Happy birthday!")
    kind, step = (None, None) if facts.admitted else next_step(facts)
    notes = [f"Alert: {text}" for text in facts.alerts]
    if facts.override_reason:
        who = f" by {facts.override_by}" if facts.override_by else ""
        notes.append(f"Override{who}: {facts.override_reason}")
    if facts.staff_note:
        notes.append(facts.staff_note)
    return AdmissionCard(
        name=facts.name,
        lines=tuple(lines),
        next_step=step,
        next_step_kind=kind,
        staff_notes=tuple(notes),
        photo=facts.photo,
        birthday=birthday,
    )


def usage_line(usage: Usage, today: date) -> str:
    """ "10-class pack: 7 credits left", "Off-peak: 8 of 8 visits this month, resets
    1 January", or the plan's name alone when nothing is counted."""
    if usage.credits_left is not None:
        left = max(usage.credits_left, 0)
        return f"{usage.plan_name}: {left} credit{'' if left == 1 else 's'} left"
    if usage.visit_limit is not None and usage.period is not None:
        noun = "week" if usage.period is LimitPeriod.WEEK else "month"
        used = usage.visits_used or 0
        return (
            f"{usage.plan_name}: {used} of {usage.visit_limit} visits this {noun}, "
            f"resets {reset_words(usage.period, today)}"
        )
    return usage.plan_name


def reset_day(period: LimitPeriod, today: date) -> date:
    """The local date the current week (from Monday) or month is over."""
    if period is LimitPeriod.WEEK:
        return today + timedelta(days=7 - today.weekday())
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def reset_words(period: LimitPeriod, today: date) -> str:
    """At most a week or a month ahead: the date needs no year."""
    day = reset_day(period, today)
    words = human_date(day)
    return f"{WEEKDAYS[day.weekday()]} {words}" if period is LimitPeriod.WEEK else words


def expiry_line(usage: Usage | None, today: date) -> str | None:
    """Within two weeks of the last valid day (never for a day or guest pass, which ends
    today by design)."""
    if usage is None or usage.ends_on is None or usage.kind in _PASSES:
        return None
    days = (usage.ends_on - today).days
    if days < 0 or days > EXPIRY_NOTICE_DAYS:
        return None
    if days == 0:
        return "Expires today"
    if days == 1:
        return "Expires tomorrow"
    return f"Expires in {days} days ({human_date(usage.ends_on)})"


def is_birthday(born: date | None, today: date) -> bool:
    """On the day; someone born on 29 February celebrates on 28 February in other years."""
    if born is None:
        return False
    if (born.month, born.day) == (today.month, today.day):
        return True
    leap = today.year % 4 == 0 and (today.year % 100 != 0 or today.year % 400 == 0)
    return (born.month, born.day) == (2, 29) and not leap and (today.month, today.day) == (2, 28)


def next_step(facts: CardFacts) -> tuple[NextStep | None, str | None]:
    reason = facts.reason
    if reason.startswith(_LOCATION):
        if facts.valid_at:
            return NextStep.ELSEWHERE, f"Valid at {_names(facts.valid_at)}"
        return NextStep.ELSEWHERE, "Valid at other locations only"
    usage = facts.usage
    if "limit of" in reason and usage is not None and usage.period is not None:
        noun = "week" if usage.period is LimitPeriod.WEEK else "month"
        counted = ""
        if usage.visit_limit is not None and usage.visits_used is not None:
            counted = f"{usage.visits_used} of {usage.visit_limit} visits used this {noun}; "
        return NextStep.WAIT, f"{counted}resets {reset_words(usage.period, facts.today)}"
    if reason == eligibility.NO_MEMBERSHIP or reason.startswith(_RENEWABLE):
        return NextStep.SELL, "Buy a day pass or a plan at the desk"
    return None, None


#: The shared rules' refusals (shared.eligibility) that a sale would cure, and the one that
#: another location would not refuse.
_LOCATION = "not valid at this location"
_RENEWABLE = ("membership expired", "membership cancelled", "no credits left")


def _names(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


class MemberCards:
    """Reads a card's facts after a check-in (the check-in is already recorded, so counts
    and credits include it)."""

    def __init__(self, store: Store, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now

    def alerts(self, member_id: uuid.UUID) -> list[str]:
        """The member's open staff alerts, oldest first (for the desk's own views)."""
        return MemberCardRows(self._store.connection()).alerts(member_id)

    def card_for(self, outcome: CheckinOutcome) -> AdmissionCard | None:
        if outcome.member_id is None or outcome.member_name is None:
            return None
        conn = self._store.connection()
        scope = ScopeRepository(conn)
        location = scope.location_ref()
        timezone = location.timezone if location else "UTC"
        at = self._now()
        today = at.astimezone(zone(timezone)).date()
        member_id = outcome.member_id
        members = MemberRepository(conn)
        member = members.get(member_id)
        memberships = members.memberships([member_id])
        used = next((m for m in memberships if m.id == outcome.membership_id), None)
        card_rows = MemberCardRows(conn)
        valid_at: list[str] = []
        if used is not None and not outcome.admitted:
            valid_at = card_rows.place_names(
                _valid_locations(used, member.home_location_id if member else None)
            )
        override = outcome.override
        door = DoorEngagement()
        if outcome.admitted:
            door = streak.for_admission(conn, member_id, outcome.checkin_id, at, timezone)
        card = build_card(
            CardFacts(
                name=outcome.member_name,
                admitted=outcome.admitted,
                reason=outcome.reason,
                today=today,
                usage=None if used is None else self._usage(used, timezone, at),
                date_of_birth=member.date_of_birth if member else None,
                booking=self._booking(member_id, timezone, at) if outcome.admitted else None,
                timezone=timezone,
                alerts=card_rows.alerts(member_id),
                override_reason=override.reason if override else None,
                override_by=_staff_name(scope, override.staff_id) if override else None,
                valid_at=valid_at,
                photo=card_rows.photo(member_id),
                staff_note=outcome.staff_note,
            )
        )
        return replace(card, streak=door.streak, badge=door.badge)

    def _usage(self, m: CachedMembership, timezone: str, at: datetime) -> Usage:
        plan = m.plan
        visits = None
        if plan.visit_limit_period is not None:
            start, end = eligibility.period_bounds(at, zone(timezone), plan.visit_limit_period)
            conn = self._store.connection()
            rows = {**PulledRows(conn).admissions(m.id), **LocalRepository(conn).admissions(m.id)}
            visits = sum(1 for when in rows.values() if start <= decode_time(when) < end)
        return Usage(
            plan_name=plan.name,
            kind=plan.kind,
            credits_left=m.credits_remaining,
            visit_limit=plan.visit_limit,
            visits_used=visits,
            period=plan.visit_limit_period,
            ends_on=m.ends_on,
            payment_overdue=m.status is MembershipStatus.PAST_DUE,
            covered_by=m.covered_by,
        )

    def _booking(self, member_id: uuid.UUID, timezone: str, at: datetime) -> TodaysBooking | None:
        """The member's next (or running) booked class today at this location."""
        tz = zone(timezone)
        today = at.astimezone(tz).date()
        start = eligibility.local_midnight(today, tz)
        end = eligibility.local_midnight(today + timedelta(days=1), tz)
        sessions = PulledRows(self._store.connection()).sessions
        found: list[TodaysBooking] = []
        for session_id in sessions.booked_in(member_id, start, end):
            session = sessions.session(session_id)
            booking = sessions.booking_of(session_id, member_id)
            if session is None or session.cancelled or session.ends_at <= at:
                continue
            if booking is None or booking.status is not BookingStatus.CONFIRMED:
                continue
            found.append(TodaysBooking(session.name, session.starts_at))
        return min(found, key=lambda b: b.starts_at, default=None)


def _valid_locations(m: CachedMembership, member_home: uuid.UUID | None) -> list[uuid.UUID]:
    rule = m.plan.location_rule
    if rule is LocationRule.LISTED:
        return list(m.plan.location_ids)
    home = m.home_location_id or member_home
    return [home] if rule is LocationRule.HOME and home is not None else []


def _staff_name(scope: ScopeRepository, staff_id: uuid.UUID) -> str | None:
    return next((s.name for s in scope.staff() if s.id == staff_id), None)
