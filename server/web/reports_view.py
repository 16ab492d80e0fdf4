"""What the console's reports show: the filter (location, weeks, last day), and per report
its tables, each with the figures raw (for the CSV and the chart) and how each column is
written on the page. Built from the bookings' report service and the sales' revenue rows,
with the account's own claims."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from server.api import exports
from server.api.deps import Services
from server.bookings import member_report as member_reports
from server.bookings import reports as attendance_reports
from server.challenges import report as engagement_reports
from server.errors import NotFound
from server.ports.identity import AccessClaims
from server.sales import revenue as revenue_report
from server.tenants import service as tenants
from server.tenants.schemas import LocationRead
from server.web.formatting import Formats
from shared.clock import utcnow

#: The periods offered, in weeks.
WEEK_CHOICES = (4, 8, 13, 26, 52)
DEFAULT_WEEKS = 8
_LOCATIONS_PAGE = 200
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: Shades of the heat map's cells, from none to the busiest slot.
HEAT_LEVELS = 5


@dataclass(frozen=True)
class Report:
    key: str
    label: str


REPORTS = (
    Report("attendance", "Attendance"),
    Report("classes", "Classes"),
    Report("slots", "Time slots"),
    Report("no-shows", "No-shows"),
    Report("revenue", "Revenue"),
    Report("engagement", "Engagement"),
    Report("members", "Members"),
)
BY_KEY = {r.key: r for r in REPORTS}


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    #: text, count, rate, money, week or month: how the page writes it (the CSV writes it
    #: plain).
    kind: str = "count"


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    #: What the chart draws (Chart.js's labels and datasets), or None for no chart.
    chart: dict[str, Any] | None = None
    #: The heat map: a grid, its cells shaded by ``level``.
    heat: bool = False
    #: Said under the title: how the figures are counted.
    note: str = ""


@dataclass
class Filter:
    location_id: uuid.UUID | None = None
    weeks: int = DEFAULT_WEEKS
    to_day: date = field(default_factory=lambda: utcnow().date())
    #: Field name → message, for a filter that cannot be used as sent.
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def from_day(self) -> date:
        return self.last_day - timedelta(days=7 * self.weeks - 1)

    @property
    def last_day(self) -> date:
        """The Sunday ending the week of ``to_day``: reports cover whole weeks."""
        return self.to_day + timedelta(days=6 - self.to_day.weekday())

    def query(self) -> str:
        location = str(self.location_id) if self.location_id else ""
        return f"location={location}&weeks={self.weeks}&to={self.to_day.isoformat()}"


def parse_filter(params: Any) -> Filter:
    """The filter from the address; what cannot be read is reported next to its field."""
    chosen = Filter()
    raw_location = (params.get("location") or "").strip()
    if raw_location:
        try:
            chosen.location_id = uuid.UUID(raw_location)
        except ValueError:
            chosen.errors["location"] = "Choose a location from the list."
    raw_weeks = (params.get("weeks") or "").strip()
    if raw_weeks:
        if raw_weeks.isdigit() and int(raw_weeks) in WEEK_CHOICES:
            chosen.weeks = int(raw_weeks)
        else:
            offered = ", ".join(str(w) for w in WEEK_CHOICES)
            chosen.errors["weeks"] = f"Choose a period of {offered} weeks."
    raw_to = (params.get("to") or "").strip()
    if raw_to:
        try:
            chosen.to_day = date.fromisoformat(raw_to)
        except ValueError:
            chosen.errors["to"] = "Give the last day as a date (YYYY-MM-DD)."
    return chosen


def _ratio_percent(values: list[float | None]) -> list[float | None]:
    return [None if v is None else round(v * 100, 2) for v in values]


def _attendance(container: Services, claims: AccessClaims, chosen: Filter) -> list[Table]:
    report = attendance_reports.attendance(
        uow=container.read_uow(), claims=claims, **_period(chosen)
    )
    rows = [w.model_dump() for w in report.weeks]
    chart = {
        "type": "line",
        "percent": True,
        "labels": [r["week_start"] for r in rows],
        "datasets": [
            {"label": "Fill rate", "data": _ratio_percent([r["fill_rate"] for r in rows])},
            {"label": "Attendance", "data": _ratio_percent([r["attendance_rate"] for r in rows])},
        ],
    }
    columns = [
        Column("week_start", "Week of", "week"),
        Column("sessions", "Sessions"),
        Column("places", "Places"),
        Column("confirmed_count", "Booked"),
        Column("attended", "Attended"),
        Column("fill_rate", "Fill rate", "rate"),
        Column("attendance_rate", "Attendance", "rate"),
    ]
    return [Table("weeks", "Attendance and fill rate by week", columns, rows, chart)]


def _classes(container: Services, claims: AccessClaims, chosen: Filter) -> list[Table]:
    report = attendance_reports.popular(uow=container.read_uow(), claims=claims, **_period(chosen))
    rows = [t.model_dump(exclude={"session_type_id"}) for t in report.types]
    chart = {
        "type": "bar",
        "horizontal": True,
        "labels": [r["session_type"] for r in rows],
        "datasets": [
            {"label": "Booked", "data": [r["confirmed_count"] for r in rows]},
            {"label": "Attended", "data": [r["attended"] for r in rows]},
        ],
    }
    columns = [
        Column("session_type", "Class", "text"),
        Column("sessions", "Sessions"),
        Column("places", "Places"),
        Column("confirmed_count", "Booked"),
        Column("attended", "Attended"),
        Column("fill_rate", "Fill rate", "rate"),
    ]
    return [Table("types", "Popular classes (most booked first)", columns, rows, chart)]


def _slots(container: Services, claims: AccessClaims, chosen: Filter) -> list[Table]:
    """A weekday × local hour grid of places booked, over the hours that had sessions."""
    report = attendance_reports.popular(uow=container.read_uow(), claims=claims, **_period(chosen))
    booked = {(s.weekday, s.hour): s.confirmed_count for s in report.slots}
    hours = sorted({hour for _, hour in booked})
    if hours:
        hours = list(range(hours[0], hours[-1] + 1))
    busiest = max(booked.values(), default=0)
    columns = [Column("weekday", "Day", "text")] + [
        Column(f"h{hour:02d}", f"{hour:02d}:00", "heat") for hour in hours
    ]
    rows = []
    for day, name in enumerate(WEEKDAYS):
        row: dict[str, Any] = {"weekday": name}
        for hour in hours:
            value = booked.get((day, hour), 0)
            # Nearest shade of the busiest slot's, any booking at least the lightest.
            level = max(1, round(value * HEAT_LEVELS / busiest)) if value else 0
            row[f"h{hour:02d}"] = value
            row[f"h{hour:02d}_level"] = level
        rows.append(row)
    title = "Places booked by weekday and starting hour (local time)"
    return [Table("slots", title, columns, rows, heat=True)]


def _no_shows(container: Services, claims: AccessClaims, chosen: Filter) -> list[Table]:
    report = attendance_reports.no_shows(uow=container.read_uow(), claims=claims, **_period(chosen))
    figures = [
        Column("confirmed_count", "Booked"),
        Column("no_shows", "No-shows"),
        Column("no_show_rate", "No-show rate", "rate"),
        Column("late_cancels", "Late cancellations"),
        Column("late_cancel_rate", "Late-cancel rate", "rate"),
    ]
    weeks = [w.model_dump() for w in report.weeks]
    types = [t.model_dump(exclude={"session_type_id"}) for t in report.types]

    def chart(rows: list[dict[str, Any]], label: Callable[[dict[str, Any]], Any]) -> Any:
        return {
            "type": "bar",
            "percent": True,
            "labels": [label(r) for r in rows],
            "datasets": [
                {
                    "label": "No-show rate",
                    "data": _ratio_percent([r["no_show_rate"] for r in rows]),
                },
                {
                    "label": "Late-cancel rate",
                    "data": _ratio_percent([r["late_cancel_rate"] for r in rows]),
                },
            ],
        }

    return [
        Table(
            "weeks",
            "No-shows and late cancellations by week",
            [Column("week_start", "Week of", "week"), *figures],
            weeks,
            chart(weeks, lambda r: r["week_start"]),
        ),
        Table(
            "types",
            "No-shows and late cancellations by class",
            [Column("session_type", "Class", "text"), *figures],
            types,
            chart(types, lambda r: r["session_type"]),
        ),
    ]


def _revenue(container: Services, claims: AccessClaims, chosen: Filter) -> list[Table]:
    seen = claims
    if chosen.location_id is not None:
        # The revenue rows keep to the claims' locations: narrowed to the one asked for.
        seen = replace(claims, location_ids=frozenset({chosen.location_id}))
    tables = []
    for group, title in (("plan", "Revenue by plan and week"), ("location", "by location")):
        rows = revenue_report.revenue_rows(
            uow=container.read_uow(),
            claims=seen,
            group_by=group,  # type: ignore[arg-type]
            period="week",
            from_day=chosen.from_day,
            to_day=chosen.last_day,
        )
        # One bar per week and group (in its currency), net of refunds, as in the table.
        weeks = sorted({row["period_start"] for row in rows})
        nets: dict[str, dict[date, Decimal]] = {}
        for row in rows:
            name = f"{row['group_name']} ({row['currency']})"
            nets.setdefault(name, {})[row["period_start"]] = row["net"]
        chart = {
            "type": "bar",
            "labels": weeks,
            "datasets": [
                {"label": name, "data": [float(net.get(week, 0)) for week in weeks]}
                for name, net in nets.items()
            ],
        }
        columns = [
            Column("period_start", "Week of", "week"),
            Column("group_name", "Plan" if group == "plan" else "Location", "text"),
            Column("currency", "Currency", "text"),
            Column("sales", "Sales"),
            Column("gross", "Gross", "money"),
            Column("refunds", "Refunds", "money"),
            Column("net", "Net", "money"),
        ]
        shown = [{k: v for k, v in row.items() if k != "group_id"} for row in rows]
        full = title if group == "plan" else "Revenue by location and week"
        tables.append(Table(group, full, columns, shown, chart))
    return tables


def _bands_table(key: str, title: str, heading: str, bands: list[Any]) -> Table:
    rows = [{"band": b.band, "members": b.members} for b in bands]
    chart = {
        "type": "bar",
        "whole": True,
        "labels": [r["band"] for r in rows],
        "datasets": [{"label": "Members", "data": [r["members"] for r in rows]}],
    }
    columns = [Column("band", heading, "text"), Column("members", "Members")]
    return Table(key, title, columns, rows, chart)


def _engagement(container: Services, claims: AccessClaims, chosen: Filter) -> list[Table]:
    figures = engagement_reports.engagement_report(
        read_uow=container.read_uow, claims=claims, **_period(chosen)
    )
    challenges = [
        {
            "name": c.name,
            "starts_on": c.starts_on,
            "ends_on": c.ends_on,
            "joined": c.joined,
            "active_this_week": c.active_this_week,
            "completed": c.completed,
        }
        for c in figures.challenges
    ]
    retention = [
        {
            "session_type": r.session_type,
            "attendees": r.attendees,
            "returned": r.returned,
            "share": r.share,
        }
        for r in figures.retention
    ]
    rated = [
        {
            "session_type": r.session_type,
            "instructor": r.instructor or "No instructor",
            "ratings": r.ratings,
            "average": r.average,
        }
        for r in figures.ratings
    ]
    return [
        _bands_table(
            "streaks",
            "Members by weekly streak (as it stands today)",
            "Weeks in a row",
            figures.streaks,
        ),
        _bands_table(
            "scores",
            "Members by Movement Adherence Score (as it stands today)",
            "Score",
            figures.scores,
        ),
        Table(
            "challenges",
            "Challenge participation",
            [
                Column("name", "Challenge", "text"),
                Column("starts_on", "Starts", "week"),
                Column("ends_on", "Ends", "week"),
                Column("joined", "Joined"),
                Column("active_this_week", "Active this week"),
                Column("completed", "Completed"),
            ],
            challenges,
            {
                "type": "bar",
                "horizontal": True,
                "whole": True,
                "labels": [c["name"] for c in challenges],
                "datasets": [
                    {"label": "Joined", "data": [c["joined"] for c in challenges]},
                    {
                        "label": "Active this week",
                        "data": [c["active_this_week"] for c in challenges],
                    },
                    {"label": "Completed", "data": [c["completed"] for c in challenges]},
                ],
            },
        ),
        Table(
            "retention",
            "Classes that bring people back",
            [
                Column("session_type", "Class", "text"),
                Column("attendees", "Attendees"),
                Column("returned", "Came back"),
                Column("share", "Share", "rate"),
            ],
            retention,
            {
                "type": "bar",
                "horizontal": True,
                "percent": True,
                "labels": [r["session_type"] for r in retention],
                "datasets": [
                    {
                        "label": "Came back within 14 days",
                        "data": _ratio_percent([r.share for r in figures.retention]),
                    }
                ],
            },
            note=(
                "Of the members who attended a class type in the period, the share who "
                f"moved again within {engagement_reports.RETURN_DAYS} days of their first "
                f"visit. Class types with fewer than {engagement_reports.MIN_GROUP} "
                "attendees are left out."
            ),
        ),
        Table(
            "ratings",
            "Ratings per class and instructor (1–5)",
            [
                Column("session_type", "Class", "text"),
                Column("instructor", "Instructor", "text"),
                Column("ratings", "Ratings"),
                Column("average", "Average", "average"),
            ],
            rated,
            {
                "type": "bar",
                "horizontal": True,
                "labels": [f"{r['session_type']} · {r['instructor']}" for r in rated],
                "datasets": [{"label": "Average rating", "data": [r["average"] for r in rated]}],
            },
        ),
    ]


def _members(container: Services, claims: AccessClaims, chosen: Filter) -> list[Table]:
    report = member_reports.members_report(
        uow=container.read_uow(), claims=claims, period="month", **_period(chosen)
    )
    rows = [p.model_dump() for p in report.periods]
    chart = {
        "type": "bar",
        "whole": True,
        "months": True,
        "labels": [r["period_start"] for r in rows],
        "datasets": [
            {"label": label, "data": [r[key] for r in rows]}
            for key, label in (("new", "New"), ("active", "Active"), ("churned", "Churned"))
        ],
    }
    periods = Table(
        "months",
        "New, active and churned members by month",
        [
            Column("period_start", "Month", "month"),
            Column("new", "New"),
            Column("active", "Active"),
            Column("churned", "Churned"),
        ],
        rows,
        chart,
        note=(
            "New: their first membership started in the month. Active: a visit or a class "
            "attended. Churned: their last membership ended and was not renewed."
        ),
    )
    span = max((len(c.active) for c in report.cohorts), default=0)
    cohorts = Table(
        "cohorts",
        "Retention by monthly cohort",
        [
            Column("cohort", "Joined in", "month"),
            Column("members", "Members"),
            *(Column(f"m{k}", f"Month {k}", "count") for k in range(span)),
        ],
        [
            {
                "cohort": c.cohort,
                "members": c.members,
                **{f"m{k}": (c.active[k] if k < len(c.active) else None) for k in range(span)},
            }
            for c in report.cohorts
        ],
        note=(
            "Of the members who joined in a month, how many were active in it (month 0) "
            "and in each month after."
        ),
    )
    return [periods, cohorts]


BUILDERS: dict[str, Callable[[Services, AccessClaims, Filter], list[Table]]] = {
    "attendance": _attendance,
    "classes": _classes,
    "slots": _slots,
    "no-shows": _no_shows,
    "revenue": _revenue,
    "engagement": _engagement,
    "members": _members,
}


def _period(chosen: Filter) -> dict[str, Any]:
    return {
        "from_day": chosen.from_day,
        "to_day": chosen.last_day,
        "location_id": chosen.location_id,
    }


def _visible_locations(container: Services, claims: AccessClaims) -> list[LocationRead]:
    page = tenants.list_locations(
        uow=container.read_uow(), claims=claims, limit=_LOCATIONS_PAGE, offset=0
    )
    return sorted(page.items, key=lambda place: place.name)


def report_view(
    container: Services, claims: AccessClaims, report: str, chosen: Filter
) -> dict[str, Any]:
    """Worker thread. A location this account does not see (or another tenant's) is not
    found; a filter with errors shows the form with its messages and no figures."""
    places = _visible_locations(container, claims)
    tenant = tenants.get_tenant(uow=container.read_uow(), claims=claims)
    if chosen.location_id is not None and chosen.location_id not in {p.id for p in places}:
        raise NotFound("location not found")
    shown = next((p for p in places if p.id == chosen.location_id), None)
    fmt = Formats.of(shown or places[0], tenant.currency) if places else Formats()
    tables = [] if chosen.errors else BUILDERS[report](container, claims, chosen)
    for table in tables:
        if table.chart:
            # A week on a chart's axis is written as in the table.
            labels = table.chart["labels"]
            write = fmt.month if table.chart.pop("months", False) else fmt.date
            table.chart["labels"] = [write(v) if isinstance(v, date) else v for v in labels]
    return {
        "tenant": tenant,
        "locations": places,
        "location": shown,
        "fmt": fmt,
        "tables": tables,
    }


_KINDS: dict[str, exports.Kind] = {
    "text": "text",
    "count": "number",
    "heat": "number",
    "rate": "ratio",
    "money": "money",
    "week": "date",
    "month": "date",
}


def as_export(table: Table) -> exports.Table:
    """A table of the page for the shared file writers."""
    columns = [exports.Column(c.key, c.heading, _KINDS.get(c.kind, "text")) for c in table.columns]
    return exports.Table(table.title, columns, table.rows)


def report_export(
    report: Report, chosen: Filter, location: LocationRead | None, tables: list[Table]
) -> exports.Export:
    """The report as on screen, every table, for a file."""
    shown = [
        ("From", chosen.from_day.isoformat()),
        ("To", chosen.last_day.isoformat()),
        ("Location", location.name if location else "all my locations"),
    ]
    return exports.Export(report.key, report.label, shown, [as_export(t) for t in tables])


def table_csv(table: Table) -> bytes:
    """The table's figures exactly as shown, one row per row, by the shared CSV writer
    (text a spreadsheet would run as a formula neutralised)."""
    return exports.csv_bytes(exports.Export(table.key, table.title, [], [as_export(table)]))
