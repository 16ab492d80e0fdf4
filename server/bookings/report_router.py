"""HTTP routes of the attendance reports (the console's Reports call the same service).
Thin."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from server.api.deps import Admin, ReadUowDep
from server.api.params import Day
from server.api.threaded_route import ThreadedRoute
from server.bookings import reports
from server.bookings.report_schemas import AttendanceReport, NoShowReport, PopularReport

router = APIRouter(route_class=ThreadedRoute, tags=["reports"])

From = Annotated[Day, Query(alias="from", description="First local day")]
To = Annotated[Day, Query(description="Last local day")]
AtLocation = Annotated[uuid.UUID | None, Query(description="One location; none: all yours")]


@router.get("/reports/attendance", response_model=AttendanceReport, response_model_by_alias=True)
def attendance(
    claims: Admin, uow: ReadUowDep, from_: From, to: To, location_id: AtLocation = None
) -> AttendanceReport:
    """Sessions, places, bookings and attendance per local week (Monday), with fill and
    attendance rates; cancelled sessions left out."""
    return reports.attendance(
        uow=uow, claims=claims, from_day=from_, to_day=to, location_id=location_id
    )


@router.get("/reports/popular", response_model=PopularReport, response_model_by_alias=True)
def popular(
    claims: Admin, uow: ReadUowDep, from_: From, to: To, location_id: AtLocation = None
) -> PopularReport:
    """Classes by places booked, and weekday × local hour slots."""
    return reports.popular(
        uow=uow, claims=claims, from_day=from_, to_day=to, location_id=location_id
    )


@router.get("/reports/no-shows", response_model=NoShowReport, response_model_by_alias=True)
def no_shows(
    claims: Admin, uow: ReadUowDep, from_: From, to: To, location_id: AtLocation = None
) -> NoShowReport:
    """No-show and late-cancel rates per local week and per class."""
    return reports.no_shows(
        uow=uow, claims=claims, from_day=from_, to_day=to, location_id=location_id
    )
