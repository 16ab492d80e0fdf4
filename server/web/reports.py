"""The console's Reports (``/manage/reports/…``): each report's page with its charts and
tables, and each table as CSV. Owners and managers; a manager limited to some locations
sees only theirs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.api.exports import MEDIA_TYPES, csv_bytes, pdf_bytes, xlsx_bytes
from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError
from server.ports.identity import AccessClaims
from server.web.console import console_page, staff_in
from server.web.pages import redirect
from server.web.reports_view import (
    BY_KEY,
    HEAT_LEVELS,
    REPORTS,
    WEEK_CHOICES,
    Filter,
    parse_filter,
    report_export,
    report_view,
    table_csv,
)
from server.web.sessions import WebRefusal, apply_cookies, services

router = APIRouter(include_in_schema=False)


def _report(name: str) -> str:
    if name not in BY_KEY:
        raise WebRefusal(404, "No such report", "This address is not one of the reports.")
    return name


async def _view(request: Request, claims: AccessClaims, name: str, chosen: Filter) -> Any:
    try:
        return await run_in_worker_thread(report_view, services(request), claims, name, chosen)
    except DomainError as exc:
        raise WebRefusal(exc.status, exc.title, exc.detail) from exc


@router.get("/manage/reports")
async def reports_home(request: Request) -> Response:
    await staff_in(request, "reports")
    return redirect(request, "/manage/reports/attendance")


@router.get("/manage/reports/{name}")
async def report_page(request: Request, name: str) -> Response:
    claims = await staff_in(request, "reports")
    report = BY_KEY[_report(name)]
    chosen = parse_filter(request.query_params)
    view = await _view(request, claims, name, chosen)
    return console_page(
        request,
        "manage/reports/report.html",
        claims,
        "reports",
        422 if chosen.errors else 200,
        report=report,
        reports=REPORTS,
        chosen=chosen,
        week_choices=WEEK_CHOICES,
        heat_levels=HEAT_LEVELS,
        **view,
    )


_WRITERS = {"csv": csv_bytes, "xlsx": xlsx_bytes, "pdf": pdf_bytes}


def _filename(name: str, chosen: Filter, view: dict[str, Any], part: str = "") -> str:
    filename = f"{name}{part}-{chosen.from_day.isoformat()}-{chosen.last_day.isoformat()}"
    if view["location"] is not None:
        filename += "-" + "".join(
            c if c.isascii() and c.isalnum() else "-" for c in view["location"].name
        )
    return filename


@router.get("/manage/reports/{name}/download.{format}")
async def report_file(request: Request, name: str, format: str) -> Response:
    """Every table of the report as on screen, in one file: CSV, Excel or PDF."""
    claims = await staff_in(request, "reports")
    report = BY_KEY[_report(name)]
    if format not in _WRITERS:
        raise WebRefusal(404, "No such file", "Reports download as CSV, Excel (xlsx) or PDF.")
    chosen = parse_filter(request.query_params)
    if chosen.errors:
        raise WebRefusal(422, "Cannot make this file", " ".join(chosen.errors.values()))
    view = await _view(request, claims, name, chosen)
    export = report_export(report, chosen, view["location"], view["tables"])
    body = await run_in_worker_thread(_WRITERS[format], export)
    response = Response(
        body,
        media_type=MEDIA_TYPES[format],
        headers={
            "content-disposition": (
                f'attachment; filename="{_filename(name, chosen, view)}.{format}"'
            )
        },
    )
    return apply_cookies(request, response)


@router.get("/manage/reports/{name}/{table}.csv")
async def report_csv(request: Request, name: str, table: str) -> Response:
    claims = await staff_in(request, "reports")
    _report(name)
    chosen = parse_filter(request.query_params)
    if chosen.errors:
        raise WebRefusal(422, "Cannot make this file", " ".join(chosen.errors.values()))
    view = await _view(request, claims, name, chosen)
    found = next((t for t in view["tables"] if t.key == table), None)
    if found is None:
        raise WebRefusal(404, "No such table", "This report has no table of that name.")
    filename = _filename(name, chosen, view, f"-{found.key}")
    response = Response(
        table_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}.csv"'},
    )
    return apply_cookies(request, response)
