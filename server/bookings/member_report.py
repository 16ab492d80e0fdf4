"""The members report: new, active and churned members per week or month, and retention
by monthly cohort. Every figure is counted by the database (GROUP BY over members,
memberships, check-ins and bookings): no query per member.

Definitions (days are local days: a booking's the class's local date, a check-in's the
local day at the location it was made in):

- A member **joins** on the first day of their first membership (the earliest
  ``starts_on`` of their memberships that are not pending payment). **New** in a period:
  joined in it. The joining month is the member's **cohort**.
- **Active** in a period: at least one visit (an admitted check-in that is not a
  re-entry) or one class attended (on time or late) in it.
- **Churned** in a period: the member holds no open-ended membership and the last day
  covered by any of their memberships (their latest ``ends_on``) falls in the period and
  is already past: it ended or lapsed and nothing renewed it. A member who comes back
  later with a new membership is no longer counted as churned.
- **Retention**: for each cohort month M in the report's span, how many of the members
  who joined in M were active in M, M+1, … up to the report's last month (a triangle).

New, churned and cohorts count members at their home location; activity is counted where
it happened. A manager limited to some locations sees only those; members without a home
location are counted only in a report over the whole tenant.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Date, and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from server.api.exports import Column, Table, columns_of
from server.bookings.models import Booking
from server.bookings.report_schemas import CohortRow, MemberPeriod, MembersReport
from server.bookings.reports import check_period, scope
from server.checkin.models import Checkin
from server.db.repository import within
from server.db.uow import UnitOfWork
from server.members.models import Member
from server.plans.models import Membership
from server.ports.identity import AccessClaims
from server.scheduling.models import ClassSession
from server.tenants.models import Location
from shared.clock import utcnow
from shared.enums import Attendance, MembershipStatus


def period_starts(from_day: date, to_day: date, period: str) -> list[date]:
    """The first day of each period touching ``from_day``…``to_day`` (weeks start on
    Monday; the first may start before ``from_day``)."""
    if period == "week":
        day = from_day - timedelta(days=from_day.weekday())
        step: Any = lambda d: d + timedelta(days=7)  # noqa: E731
    else:
        day = from_day.replace(day=1)
        step = _next_month
    starts = []
    while day <= to_day:
        starts.append(day)
        day = step(day)
    return starts


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _day_bucket(day: Any, starts: Sequence[date]) -> Any:
    """The start of the period ``day`` (a date column) falls in; callers keep ``day``
    within the report's span. Written as a CASE of literal bounds: the same SQL on
    SQLite and PostgreSQL."""
    whens = [(day < later, literal(start, Date)) for start, later in pairwise(starts)]
    last = literal(starts[-1], Date)
    return case(*whens, else_=last) if whens else last


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _instant_bucket(
    at: Any, location: Any, starts: Sequence[date], to_day: date, places: Sequence[Location]
) -> Any:
    """The start of the period the instant ``at`` falls in, in the local days of the
    location it happened at; NULL outside the span."""
    first, after = starts[0], to_day + timedelta(days=1)
    per_place = []
    for place in places:
        zone = ZoneInfo(place.timezone)
        bounds = [(s, _local_midnight(s, zone)) for s in starts[1:]]
        whens: list[Any] = [(at < _local_midnight(first, zone), None)]
        previous = first
        for start, instant in bounds:
            whens.append((at < instant, literal(previous, Date)))
            previous = start
        whens.append((at < _local_midnight(after, zone), literal(previous, Date)))
        per_place.append((location == place.id, case(*whens, else_=None)))
    return case(*per_place, else_=None) if per_place else literal(None, Date)


def _activity(
    db: Session,
    tenant_id: uuid.UUID,
    starts: Sequence[date],
    from_day: date,
    to_day: date,
    seen: Collection[uuid.UUID] | None,
) -> Any:
    """(member_id, period) for every visit and class attended in the span, as a
    subquery: one row per visit or booking, periods decided by the database."""
    places = list(
        db.scalars(
            select(Location).where(Location.tenant_id == tenant_id, *within(Location.id, seen))
        )
    )
    earliest = datetime.combine(from_day, time(0), tzinfo=UTC) - timedelta(hours=14)
    latest = datetime.combine(to_day + timedelta(days=1), time(0), tzinfo=UTC) + timedelta(hours=12)
    visits = select(
        Checkin.member_id.label("member_id"),
        _instant_bucket(Checkin.occurred_at, Checkin.location_id, starts, to_day, places).label(
            "period"
        ),
    ).where(
        Checkin.tenant_id == tenant_id,
        Checkin.admitted.is_(True),
        Checkin.repeat_of.is_(None),
        Checkin.occurred_at >= earliest,
        Checkin.occurred_at < latest,
        *within(Checkin.location_id, seen),
    )
    classes = (
        select(
            Booking.member_id.label("member_id"),
            _day_bucket(ClassSession.local_date, starts).label("period"),
        )
        .join(
            ClassSession,
            (ClassSession.tenant_id == Booking.tenant_id) & (ClassSession.id == Booking.session_id),
        )
        .where(
            Booking.tenant_id == tenant_id,
            Booking.attendance.in_([Attendance.ON_TIME, Attendance.LATE]),
            ClassSession.local_date >= from_day,
            ClassSession.local_date <= to_day,
            *within(ClassSession.location_id, seen),
        )
    )
    return union_all(visits, classes).subquery("activity")


def _members_at_home(tenant_id: uuid.UUID, seen: Collection[uuid.UUID] | None) -> Any:
    """Per member at a home location in ``seen``: their first membership's start, their
    latest end, and how many of their memberships are open-ended."""
    held = Membership.status != MembershipStatus.PENDING
    return (
        select(
            Membership.member_id.label("member_id"),
            func.min(Membership.starts_on).label("joined"),
            func.max(Membership.ends_on).label("last_end"),
            func.sum(case((Membership.ends_on.is_(None), 1), else_=0)).label("open"),
        )
        .join(
            Member,
            (Member.tenant_id == Membership.tenant_id) & (Member.id == Membership.member_id),
        )
        .where(Membership.tenant_id == tenant_id, held, *within(Member.home_location_id, seen))
        .group_by(Membership.member_id)
        .subquery("held")
    )


def _count_per(db: Session, rows: Any, key: str = "period") -> dict[date, int]:
    """``count(distinct member_id)`` per ``key`` of the subquery ``rows`` (grouped outside
    it: PostgreSQL will not group by an expression holding bound parameters)."""
    column = rows.c[key]
    query = (
        select(column, func.count(func.distinct(rows.c.member_id)))
        .where(column.is_not(None))
        .group_by(column)
    )
    return {day: int(n) for day, n in db.execute(query)}


def members_report(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    from_day: date,
    to_day: date,
    period: Literal["week", "month"],
    location_id: uuid.UUID | None,
    today: date | None = None,
) -> MembersReport:
    check_period(from_day, to_day)
    today = today or utcnow().date()
    starts = period_starts(from_day, to_day, period)
    months = period_starts(from_day, to_day, "month")
    with uow:
        db = uow.db
        tenant = claims.tenant_id
        seen = scope(uow, claims, location_id)
        held = _members_at_home(tenant, seen)
        joined = select(held.c.member_id, _day_bucket(held.c.joined, starts).label("period")).where(
            held.c.joined >= from_day, held.c.joined <= to_day
        )
        new = _count_per(db, joined.subquery())
        lapsed = select(
            held.c.member_id, _day_bucket(held.c.last_end, starts).label("period")
        ).where(
            held.c.open == 0,
            held.c.last_end >= from_day,
            held.c.last_end <= to_day,
            held.c.last_end < today,
        )
        churned = _count_per(db, lapsed.subquery())
        activity = _activity(db, tenant, starts, from_day, to_day, seen)
        active = _count_per(db, activity)
        # Retention: each cohort's members against their months of activity.
        monthly = (
            activity if period == "month" else _activity(db, tenant, months, from_day, to_day, seen)
        )
        cohort = (
            select(held.c.member_id, _day_bucket(held.c.joined, months).label("cohort"))
            .where(held.c.joined >= from_day, held.c.joined <= to_day)
            .subquery("cohort")
        )
        sizes = _count_per(db, cohort, "cohort")
        crossed = (
            select(
                cohort.c.cohort,
                monthly.c.period,
                func.count(func.distinct(cohort.c.member_id)),
            )
            .join(monthly, and_(monthly.c.member_id == cohort.c.member_id))
            .where(monthly.c.period.is_not(None), monthly.c.period >= cohort.c.cohort)
            .group_by(cohort.c.cohort, monthly.c.period)
        )
        still: dict[date, dict[date, int]] = defaultdict(dict)
        for month, moved_in, n in db.execute(crossed):
            still[month][moved_in] = int(n)
    return MembersReport(
        from_day=from_day,
        to_day=to_day,
        location_id=location_id,
        period=period,
        periods=[
            MemberPeriod(
                period_start=start,
                new=new.get(start, 0),
                active=active.get(start, 0),
                churned=churned.get(start, 0),
            )
            for start in starts
        ],
        cohorts=[
            CohortRow(
                cohort=month,
                members=sizes.get(month, 0),
                active=[still[month].get(later, 0) for later in months[i:]],
            )
            for i, month in enumerate(months)
        ],
    )


def members_tables(report: MembersReport) -> list[Table]:
    """The report's two tables for the files: the periods, and the cohort triangle with a
    column per month after joining."""
    span = max((len(c.active) for c in report.cohorts), default=0)
    later = [Column(f"m{k}", f"Month {k}", "int") for k in range(span)]
    return [
        Table("Periods", columns_of(MemberPeriod), [dict(p) for p in report.periods]),
        Table(
            "Retention by cohort",
            [Column("cohort", "Cohort", "date"), Column("members", "Members", "int"), *later],
            [
                {
                    "cohort": c.cohort,
                    "members": c.members,
                    **{f"m{k}": n for k, n in enumerate(c.active)},
                }
                for c in report.cohorts
            ],
        ),
    ]
