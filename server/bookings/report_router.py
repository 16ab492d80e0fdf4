"""HTTP routes of the attendance and members reports (the console's Reports call the same
services). Thin; each answers JSON, or a file with ``?format=csv|xlsx|pdf``."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from server.api.deps import Admin, ReadUowDep
from server.api.exports import (
    FILE_RESPONSES,
    Export,
    FormatParam,
    download,
    period_filters,
    tables_of,
)
from server.api.params import Day
from server.api.threaded_route import ThreadedRoute
from server.bookings import member_report, reports
from server.bookings.report_schemas import (
    AttendanceReport,
    MembersReport,
    NoShowReport,
    PopularReport,
)

router = APIRouter(route_class=ThreadedRoute, tags=["reports"])

From = Annotated[Day, Query(alias="from", description="First local day")]
To = Annotated[Day, Query(description="Last local day")]
AtLocation = Annotated[uuid.UUID | None, Query(description="One location; none: all yours")]


def _answer(
    report: AttendanceReport | PopularReport | NoShowReport,
    format: str,
    name: str,
    title: str,
) -> AttendanceReport | PopularReport | NoShowReport | Response:
    if format == "json":
        return report
    place = str(report.location_id) if report.location_id else None
    shown = period_filters(report.from_day, report.to_day, place)
    return download(Export(name, title, shown, tables_of(report)), format)  # type: ignore[arg-type]


@router.get(
    "/reports/attendance",
    response_model=AttendanceReport,
    response_model_by_alias=True,
    responses=FILE_RESPONSES,
)
def attendance(
    claims: Admin,
    uow: ReadUowDep,
    from_: From,
    to: To,
    location_id: AtLocation = None,
    format: FormatParam = "json",
) -> AttendanceReport | Response:
    """Sessions, places, bookings and attendance per local week (Monday), with fill and
    attendance rates; cancelled sessions left out."""
    report = reports.attendance(
        uow=uow, claims=claims, from_day=from_, to_day=to, location_id=location_id
    )
    return _answer(report, format, "attendance", "Attendance")  # type: ignore[return-value]


@router.get(
    "/reports/popular",
    response_model=PopularReport,
    response_model_by_alias=True,
    responses=FILE_RESPONSES,
)
def popular(
    claims: Admin,
    uow: ReadUowDep,
    from_: From,
    to: To,
    location_id: AtLocation = None,
    format: FormatParam = "json",
) -> PopularReport | Response:
    """Classes by places booked, and weekday × local hour slots."""
    report = reports.popular(
        uow=uow, claims=claims, from_day=from_, to_day=to, location_id=location_id
    )
    return _answer(report, format, "popular", "Popular classes and slots")  # type: ignore[return-value]


@router.get(
    "/reports/no-shows",
    response_model=NoShowReport,
    response_model_by_alias=True,
    responses=FILE_RESPONSES,
)
def no_shows(
    claims: Admin,
    uow: ReadUowDep,
    from_: From,
    to: To,
    location_id: AtLocation = None,
    format: FormatParam = "json",
) -> NoShowReport | Response:
    """No-show and late-cancel rates per local week and per class."""
    report = reports.no_shows(
        uow=uow, claims=claims, from_day=from_, to_day=to, location_id=location_id
    )
    return _answer(report, format, "no-shows", "No-shows and late cancellations")  # type: ignore[return-value]


@router.get(
    "/reports/members",
    response_model=MembersReport,
    response_model_by_alias=True,
    responses=FILE_RESPONSES,
)
def members(
    claims: Admin,
    uow: ReadUowDep,
    from_: From,
    to: To,
    period: Annotated[Literal["week", "month"], Query()] = "month",
    location_id: AtLocation = None,
    format: FormatParam = "json",
) -> MembersReport | Response:
    """New, active and churned members per week or month, and retention by monthly cohort.
    A member joins with their first membership's start; active: a visit or a class
    attended; churned: their last membership ended, not renewed, no open-ended one left.
    New, churned and cohorts count members at their home location, activity where it
    happened."""
    report = member_report.members_report(
        uow=uow, claims=claims, from_day=from_, to_day=to, period=period, location_id=location_id
    )
    if format == "json":
        return report
    place = str(location_id) if location_id else None
    shown = period_filters(from_, to, place, period=period)
    tables = member_report.members_tables(report)
    return download(Export("members", "Members", shown, tables), format)
